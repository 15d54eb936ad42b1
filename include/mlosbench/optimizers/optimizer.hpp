#pragma once

#include "mlosbench/config/status.hpp"
#include "mlosbench/optimizers/optimizer_spec.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// A finished trial as an optimizer learns from it.
struct Observation
{
    TunableValues config;
    Status status = Status::succeeded; ///< SUCCEEDED, FAILED or TIMED_OUT
    /// Target -> value in the user's sign (as measured); empty unless SUCCEEDED.
    std::map<std::string, double> scores;
};

/// A config to try next.
struct Suggestion
{
    TunableValues config;
    bool is_defaults = false; ///< the tunables' current (default/configured) values
};

/// The best observation so far, scores in the user's sign.
struct BestObservation
{
    TunableValues config;
    std::map<std::string, double> scores;
};

/// Picks tunable values for the next trial and learns from finished ones (docs/optimizers.md).
/// Optimizers see tunables and scores only. Not thread-safe: the scheduler calls it from one
/// thread.
class Optimizer
{
public:
    virtual ~Optimizer() = default;

    /// Our short class name ("MockOptimizer", ...).
    [[nodiscard]] virtual std::string name() const = 0;
    /// Whether it learns from trials stored before this run (warm start on resume).
    [[nodiscard]] virtual bool supports_preload() const = 0;
    /// Learns from finished trials; failed and timed-out ones count as bad (+inf internally).
    virtual void register_observations(const std::vector<Observation>& observations) = 0;
    /// The configs other workers are running now (`--join`), told before suggest(): a
    /// suggestion avoids them where the optimizer can (a grid skips them), and a first
    /// suggestion is not the defaults when another worker already started.
    virtual void register_pending(const std::vector<TunableValues>& configs) = 0;
    /// The next config, or nullopt when the optimizer is done (budget spent, grid exhausted).
    [[nodiscard]] virtual std::optional<Suggestion> suggest() = 0;
    /// True while suggest() may still return a config.
    [[nodiscard]] virtual bool not_converged() const = 0;
    /// Lexicographic best over the targets in order, among SUCCEEDED observations.
    [[nodiscard]] virtual std::optional<BestObservation> best() const = 0;
    [[nodiscard]] virtual const std::vector<std::pair<std::string, std::string>>& targets() const = 0;
};

/// Builds the optimizer of `spec` over `space` (whose current values are the "defaults" a
/// first suggestion uses). Throws ConfigError for a bad optimizer config (exit 2), e.g. a
/// grid over an unquantized float.
[[nodiscard]] std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec,
                                                        const TunableGroups& space);

} // namespace mlosbench
