#pragma once

#include "mlosbench/optimizers/optimizer.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mlosbench {

/// What every optimizer shares (docs/optimizers.md, "Common behaviour"): targets and their signs, the suggestion budget,
/// start_with_defaults, and the best observation so far (lexicographic over the targets).
/// Subclasses provide next() and may learn in on_register().
class BaseOptimizer : public Optimizer
{
public:
    BaseOptimizer(std::string name, const OptimizerSpec& spec, const TunableGroups& space);

    [[nodiscard]] std::string name() const final { return m_name; }
    [[nodiscard]] bool supports_preload() const override { return true; }
    void register_observations(const std::vector<Observation>& observations) final;
    void register_pending(const std::vector<TunableValues>& configs) final;
    [[nodiscard]] std::optional<Suggestion> suggest() final;
    [[nodiscard]] bool not_converged() const final;
    [[nodiscard]] std::optional<BestObservation> best() const final;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& targets() const final
    {
        return m_targets;
    }

protected:
    /// An observation as the optimizers learn from it.
    struct Scored
    {
        /// Every tunable of the space (missing ones at their current value); nullopt when a
        /// value lies outside the space (the space changed since the trial ran).
        std::optional<TunableValues> config;
        /// SUCCEEDED, FAILED or TIMED_OUT. Other statuses (CANCELED...) only tell that a
        /// suggestion will not produce a result; `values` is then empty.
        bool finished = true;
        bool ok = false; ///< SUCCEEDED with every target present and finite
        /// One value per target in declared order, minimised (sign applied); +inf unless ok.
        std::vector<double> values;
    };

    /// The next config, or nullopt when this optimizer has nothing more to suggest.
    /// Called only while the budget allows.
    [[nodiscard]] virtual std::optional<Suggestion> next() = 0;
    /// False once next() would return nullopt (grid exhausted, cycles done).
    [[nodiscard]] virtual bool has_more() const { return true; }
    /// Learns from a batch of trials (FAILED/TIMED_OUT ones carry +inf values).
    virtual void on_register(const std::vector<Scored>& /*batch*/) {}
    /// Hears of configs other workers run now (normalized; invalid ones left out).
    virtual void on_pending(const std::vector<TunableValues>& /*configs*/) {}

    /// `config` completed to every tunable of the space and checked; nullopt if invalid.
    [[nodiscard]] std::optional<TunableValues> normalize(const TunableValues& config) const;

    [[nodiscard]] const TunableGroups& space() const { return m_space; }
    [[nodiscard]] const std::vector<double>& signs() const { return m_signs; }
    [[nodiscard]] const OptimizerSpec& spec() const { return m_spec; }
    [[nodiscard]] std::mt19937_64& rng() { return m_rng; }
    /// Suggestions made by this process so far.
    [[nodiscard]] std::int64_t suggested() const { return m_suggested; }
    /// Whether the next suggestion should be the current values (start_with_defaults, and
    /// nothing registered before the first suggestion).
    [[nodiscard]] bool start_with_defaults_pending() const
    {
        return m_start_with_defaults && m_suggested == 0;
    }
    /// Replaces the budget (ManualOptimizer caps it by its cycles); 0 = no limit.
    void set_max_suggestions(std::int64_t max) { m_max_suggestions = max; }
    [[nodiscard]] std::int64_t max_suggestions() const { return m_max_suggestions; }

private:
    std::string m_name;
    OptimizerSpec m_spec;
    TunableGroups m_space;
    std::vector<std::pair<std::string, std::string>> m_targets;
    std::vector<double> m_signs;
    std::int64_t m_max_suggestions = 0;
    std::int64_t m_suggested = 0;
    bool m_start_with_defaults = true;
    std::mt19937_64 m_rng;
    // Best successful observation: raw config, values in the minimised sign.
    std::optional<TunableValues> m_best_config;
    std::vector<double> m_best_values;
};

} // namespace mlosbench
