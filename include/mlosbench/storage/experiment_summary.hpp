#pragma once

#include "mlosbench/storage/storage.hpp"
#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// The best successful trial of an experiment by its first objective.
struct BestTrial
{
    std::int64_t trial_id = 0;
    std::string metric; ///< the first objective's name
    Json score;         ///< its value in that trial (a number)
};

/// One experiment as `show` lists it. Texts are as stored (times in the storage's form);
/// nullopt for NULL.
struct ExperimentSummary
{
    std::string exp_id;
    std::optional<std::string> description;
    std::optional<std::string> status;
    std::optional<std::string> ts_start;
    std::optional<std::string> ts_end;
    std::vector<Objective> objectives; ///< in the order they were stored
    std::int64_t total_trials = 0;
    /// Trial counts per status name, by name.
    std::vector<std::pair<std::string, std::int64_t>> trials_by_status;
    /// The successful trial with the best numeric score of the first objective (the lowest
    /// id among equals); nullopt without objectives or such a trial.
    std::optional<BestTrial> best;

    /// {exp_id, description, status, ts_start, ts_end, objectives: [{name, direction}],
    /// trials: {total, by_status: {STATUS: n}}, best: {trial_id, metric, score} or null}.
    [[nodiscard]] Json to_json() const;
};

} // namespace mlosbench
