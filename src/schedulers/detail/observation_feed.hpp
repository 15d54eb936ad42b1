#pragma once

#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/storage/storage.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench::detail {

using Targets = std::vector<std::pair<std::string, std::string>>;

/// The score a result value gives: a finite number, or text that reads as one.
[[nodiscard]] std::optional<double> score_of(const Json& value);

/// The finite score of each target in `results` (a number, or text that reads as one);
/// targets without one are left out.
[[nodiscard]] std::map<std::string, double> scores_of(const Json& results, const Targets& targets);

/// Which completed trials the optimizer has been told about. Each completed trial becomes an
/// observation exactly once, whatever order runners finish in. Storage is asked only for
/// trials above a low-water mark: every id at or below it is told or irrelevant.
/// Main thread only.
class ObservationFeed
{
public:
    ObservationFeed(ExperimentStorage& storage, Targets targets);

    /// Leaves out the trials completed before this run (an optimizer without warm start
    /// learns from this run's trials only); `oldest_open` as for collect(): a trial still
    /// open (another worker's) is told when it completes.
    void skip_stored(std::int64_t oldest_open);

    /// The trials completed since the last call, as observations, in id order.
    /// `oldest_open`: the lowest id of a trial still queued or running (INT64_MAX if none).
    [[nodiscard]] std::vector<Observation> collect(std::int64_t oldest_open);

    /// Every SUCCEEDED trial collected so far, with its config and scores, in the order seen.
    [[nodiscard]] const std::vector<std::pair<std::int64_t, BestObservation>>& successes() const
    {
        return m_successes;
    }

private:
    ExperimentStorage& m_storage;
    Targets m_targets;
    std::set<std::int64_t> m_told;  ///< ids above the low-water mark already told
    std::int64_t m_low_water = 0;
    std::vector<std::pair<std::int64_t, BestObservation>> m_successes;
};

} // namespace mlosbench::detail
