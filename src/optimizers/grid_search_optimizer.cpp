#include "grid_search_optimizer.hpp"

#include "mlosbench/util/error.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <limits>

namespace mlosbench {
namespace {

// Above this many points the grid is refused: it would not fit in memory as a bitmap of
// pending points, and no experiment runs that many trials.
constexpr std::uint64_t k_max_grid_points = 100'000'000;
constexpr std::uint64_t k_warn_grid_points = 10'000;

bool same_value(const TunableValue& a, const TunableValue& b)
{
    if (a == b) {
        return true;
    }
    const auto* x = std::get_if<double>(&a);
    const auto* y = std::get_if<double>(&b);
    return x != nullptr && y != nullptr &&
           std::fabs(*x - *y) <= 1e-12 * std::max(1.0, std::max(std::fabs(*x), std::fabs(*y)));
}

} // namespace

GridSearchOptimizer::GridSearchOptimizer(const OptimizerSpec& spec, const TunableGroups& space)
    : BaseOptimizer("GridSearchOptimizer", spec, space)
{
    for (const Tunable* t : space.tunables()) {
        if (!t->cardinality()) {
            throw ConfigError(spec.file, "",
                              "GridSearchOptimizer needs every tunable to have a finite set of "
                              "values: '" +
                                  t->name() + "' is a float without quantization_bins");
        }
        const auto too_big = [&] {
            return ConfigError(spec.file, "",
                               "GridSearchOptimizer: the grid has more than " +
                                   std::to_string(k_max_grid_points) +
                                   " points; quantize or remove some tunables");
        };
        // Checked before the axis is listed: an int range of 10^12 values must not be.
        const std::uint64_t expected = *t->cardinality();
        if (expected > k_max_grid_points || m_size > k_max_grid_points / expected) {
            throw too_big();
        }
        m_names.push_back(t->name());
        m_axes.push_back(t->grid_values());
        const auto n = static_cast<std::uint64_t>(m_axes.back().size());
        if (m_size > k_max_grid_points / n) {
            throw too_big();
        }
        m_size *= n;
    }
    if (m_size > k_warn_grid_points) {
        spdlog::warn("GridSearchOptimizer: the grid has {} points", m_size);
    }
    if (max_suggestions() > 0 && static_cast<std::uint64_t>(max_suggestions()) < m_size) {
        spdlog::info("GridSearchOptimizer: the grid has {} points, max_suggestions is {}", m_size,
                     max_suggestions());
    }
    m_done.assign(m_size, false);
    m_remaining = m_size;
}

std::optional<std::uint64_t> GridSearchOptimizer::index_of(const TunableValues& config) const
{
    std::uint64_t index = 0;
    for (std::size_t i = 0; i < m_axes.size(); ++i) {
        const TunableValue& v = config.at(m_names[i]);
        std::size_t pos = 0;
        while (pos < m_axes[i].size() && !same_value(m_axes[i][pos], v)) {
            ++pos;
        }
        if (pos == m_axes[i].size()) {
            return std::nullopt;
        }
        index = index * m_axes[i].size() + pos;
    }
    return index;
}

TunableValues GridSearchOptimizer::config_at(std::uint64_t index) const
{
    TunableValues out;
    for (std::size_t i = m_axes.size(); i-- > 0;) {
        const std::uint64_t n = m_axes[i].size();
        out.emplace(m_names[i], m_axes[i][index % n]);
        index /= n;
    }
    return out;
}

void GridSearchOptimizer::mark_done(std::uint64_t index)
{
    if (!m_done[index]) {
        m_done[index] = true;
        --m_remaining;
    }
}

bool GridSearchOptimizer::has_more() const
{
    return start_with_defaults_pending() || m_remaining > 0;
}

std::optional<Suggestion> GridSearchOptimizer::next()
{
    if (start_with_defaults_pending()) {
        const TunableValues current = space().values();
        if (const auto index = index_of(current)) {
            mark_done(*index);
        }
        return Suggestion{current, true};
    }
    while (m_cursor < m_size && m_done[m_cursor]) {
        ++m_cursor;
    }
    if (m_cursor == m_size) {
        return std::nullopt;
    }
    mark_done(m_cursor);
    TunableValues config = config_at(m_cursor);
    const bool is_defaults = config == space().values();
    return Suggestion{std::move(config), is_defaults};
}

void GridSearchOptimizer::on_pending(const std::vector<TunableValues>& configs)
{
    for (const TunableValues& config : configs) {
        if (const auto index = index_of(config)) {
            mark_done(*index);
        }
    }
}

void GridSearchOptimizer::on_register(const std::vector<Scored>& batch)
{
    for (const Scored& s : batch) {
        if (!s.finished || !s.config) {
            continue;
        }
        if (const auto index = index_of(*s.config)) {
            mark_done(*index);
        }
    }
}

} // namespace mlosbench
