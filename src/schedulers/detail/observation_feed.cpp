#include "schedulers/detail/observation_feed.hpp"

#include "mlosbench/util/strings.hpp"

#include <algorithm>
#include <cmath>

namespace mlosbench::detail {

std::optional<double> score_of(const Json& value)
{
    const Json v = value.is_string() ? parse_scalar_text(value.get<std::string>()) : value;
    if (v.is_number() && std::isfinite(v.get<double>())) {
        return v.get<double>();
    }
    return std::nullopt;
}

std::map<std::string, double> scores_of(const Json& results, const Targets& targets)
{
    std::map<std::string, double> out;
    for (const auto& [name, direction] : targets) {
        if (!results.contains(name)) {
            continue;
        }
        if (const auto score = score_of(results.at(name))) {
            out[name] = *score;
        }
    }
    return out;
}

ObservationFeed::ObservationFeed(ExperimentStorage& storage, Targets targets)
    : m_storage(storage), m_targets(std::move(targets))
{
}

void ObservationFeed::skip_stored(std::int64_t oldest_open)
{
    for (const CompletedTrial& t : m_storage.load_completed(0)) {
        if (t.trial_id < oldest_open) {
            m_low_water = std::max(m_low_water, t.trial_id);
        } else {
            m_told.insert(t.trial_id);
        }
    }
}

std::vector<Observation> ObservationFeed::collect(std::int64_t oldest_open)
{
    std::vector<Observation> observations;
    for (const CompletedTrial& t : m_storage.load_completed(m_low_water)) {
        if (!m_told.insert(t.trial_id).second) {
            continue;
        }
        Observation o;
        o.config = t.config;
        o.status = t.status;
        if (t.status == Status::succeeded) {
            o.scores = scores_of(t.results, m_targets);
            m_successes.emplace_back(t.trial_id, BestObservation{t.config, o.scores});
        }
        observations.push_back(std::move(o));
    }
    // Advance the low-water mark past every id below the oldest unfinished trial.
    if (!m_told.empty()) {
        const std::int64_t top = *m_told.rbegin();
        m_low_water = std::max(m_low_water, std::min(top, oldest_open - 1));
        m_told.erase(m_told.begin(), m_told.upper_bound(m_low_water));
    }
    return observations;
}

} // namespace mlosbench::detail
