#pragma once

#include "base_optimizer.hpp"

namespace mlosbench {

/// Every point of the cartesian product of the tunables' grids (special values included), in
/// order, the first tunable varying slowest. The current values come first when
/// start_with_defaults. A point leaves the pending set once suggested or registered (so a
/// resumed run continues with the rest); done when none is left.
class GridSearchOptimizer final : public BaseOptimizer
{
public:
    /// Throws ConfigError when a tunable has no finite grid (a float without
    /// quantization_bins) or the grid is too large to enumerate.
    GridSearchOptimizer(const OptimizerSpec& spec, const TunableGroups& space);

private:
    [[nodiscard]] std::optional<Suggestion> next() override;
    [[nodiscard]] bool has_more() const override;
    void on_register(const std::vector<Scored>& batch) override;
    void on_pending(const std::vector<TunableValues>& configs) override;

    /// The grid index of `config`, or nullopt when it is not a grid point.
    [[nodiscard]] std::optional<std::uint64_t> index_of(const TunableValues& config) const;
    [[nodiscard]] TunableValues config_at(std::uint64_t index) const;
    void mark_done(std::uint64_t index);

    std::vector<std::string> m_names;
    std::vector<std::vector<TunableValue>> m_axes;
    std::uint64_t m_size = 1;
    std::vector<bool> m_done;
    std::uint64_t m_remaining = 0;
    std::uint64_t m_cursor = 0; ///< every index below it is done
};

} // namespace mlosbench
