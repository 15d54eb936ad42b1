#include "base_optimizer.hpp"

#include "mlosbench/util/error.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlosbench {

BaseOptimizer::BaseOptimizer(std::string name,
                             const OptimizerSpec& spec,
                             const TunableGroups& space)
    : m_name(std::move(name)), m_spec(spec), m_space(space), m_targets(spec.targets),
      m_max_suggestions(spec.max_suggestions), m_start_with_defaults(spec.start_with_defaults),
      m_rng(static_cast<std::uint64_t>(spec.seed))
{
    if (m_targets.empty()) {
        throw ConfigError(spec.file, "/config/optimization_targets",
                          "expected at least one optimization target");
    }
    for (const auto& [target, direction] : m_targets) {
        if (direction != "min" && direction != "max") {
            throw ConfigError(spec.file, "/config/optimization_targets/" + target,
                              "expected \"min\" or \"max\", got \"" + direction + "\"");
        }
        m_signs.push_back(direction == "max" ? -1.0 : 1.0);
    }
    if (m_max_suggestions < 0) {
        throw ConfigError(spec.file, "/config/max_suggestions",
                          "expected an integer >= 0, got " + std::to_string(m_max_suggestions));
    }
}

std::optional<TunableValues> BaseOptimizer::normalize(const TunableValues& config) const
{
    TunableValues out;
    for (const Tunable* t : m_space.tunables()) {
        const auto it = config.find(t->name());
        if (it == config.end()) {
            out.emplace(t->name(), t->value());
            continue;
        }
        try {
            out.emplace(t->name(), t->coerce(it->second));
        } catch (const Error&) {
            return std::nullopt;
        }
    }
    return out;
}

void BaseOptimizer::register_observations(const std::vector<Observation>& observations)
{
    if (observations.empty()) {
        return;
    }
    std::vector<Scored> batch;
    batch.reserve(observations.size());
    const double inf = std::numeric_limits<double>::infinity();
    for (const Observation& obs : observations) {
        Scored s;
        s.config = normalize(obs.config);
        if (obs.status != Status::succeeded && obs.status != Status::failed &&
            obs.status != Status::timed_out) {
            spdlog::debug("optimizer: a trial with status {} is not learnt from",
                          status_name(obs.status));
            s.finished = false;
            batch.push_back(std::move(s));
            continue;
        }
        s.ok = obs.status == Status::succeeded;
        s.values.assign(m_targets.size(), inf);
        if (s.ok) {
            for (std::size_t i = 0; i < m_targets.size(); ++i) {
                const auto it = obs.scores.find(m_targets[i].first);
                if (it == obs.scores.end()) {
                    spdlog::warn("optimizer: a successful trial has no value for target '{}'; "
                                 "counted as failed",
                                 m_targets[i].first);
                    s.ok = false;
                    break;
                }
                if (!std::isfinite(it->second)) {
                    spdlog::warn("optimizer: target '{}' of a successful trial is {}; counted "
                                 "as failed",
                                 m_targets[i].first, it->second);
                    s.ok = false;
                    break;
                }
                s.values[i] = it->second * m_signs[i];
            }
            if (!s.ok) {
                s.values.assign(m_targets.size(), inf);
            }
        }
        if (s.ok && (!m_best_config || s.values < m_best_values)) {
            m_best_config = obs.config;
            m_best_values = s.values;
        }
        batch.push_back(std::move(s));
    }
    // Results from before this run replace the defaults as a starting point, as in mlos_bench.
    const bool any_finished =
        std::any_of(batch.begin(), batch.end(), [](const Scored& s) { return s.finished; });
    if (m_suggested == 0 && any_finished) {
        m_start_with_defaults = false;
    }
    on_register(batch);
}

void BaseOptimizer::register_pending(const std::vector<TunableValues>& configs)
{
    std::vector<TunableValues> valid;
    for (const auto& config : configs) {
        if (auto normalized = normalize(config)) {
            valid.push_back(std::move(*normalized));
        }
    }
    // Another worker started first, with the defaults if they were asked for.
    if (m_suggested == 0 && !configs.empty()) {
        m_start_with_defaults = false;
    }
    on_pending(valid);
}

std::optional<Suggestion> BaseOptimizer::suggest()
{
    if (!not_converged()) {
        return std::nullopt;
    }
    std::optional<Suggestion> out = next();
    if (out) {
        ++m_suggested;
    }
    return out;
}

bool BaseOptimizer::not_converged() const
{
    if (m_max_suggestions > 0 && m_suggested >= m_max_suggestions) {
        return false;
    }
    return has_more();
}

std::optional<BestObservation> BaseOptimizer::best() const
{
    if (!m_best_config) {
        return std::nullopt;
    }
    BestObservation out;
    out.config = *m_best_config;
    for (std::size_t i = 0; i < m_targets.size(); ++i) {
        out.scores[m_targets[i].first] = m_best_values[i] * m_signs[i];
    }
    return out;
}

} // namespace mlosbench
