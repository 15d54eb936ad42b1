#include "feasibility_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlosbench::detail {
namespace {

// Likelihood evaluations of the first hyperparameter fit, then of each warm-started one, and
// the rows a fit uses at most (the most recent): as the surrogate's (TpeSettings).
constexpr int k_first_fit_evals = 60;
constexpr int k_refit_evals = 3;
constexpr std::size_t k_fit_rows = 64;
constexpr double k_min_p_ok = 0.01;

std::vector<bool> categorical_flags(const std::vector<Coordinate>& coordinates)
{
    std::vector<bool> flags;
    for (const Coordinate& c : coordinates) {
        flags.push_back(c.kind == Coordinate::Kind::categorical);
    }
    return flags;
}

} // namespace

FeasibilityModel::FeasibilityModel(const std::vector<Coordinate>& coordinates)
    : m_coordinates(coordinates), m_gp(categorical_flags(coordinates))
{
}

void FeasibilityModel::train(const std::vector<double>& x, const std::vector<bool>& failed)
{
    const std::size_t n = failed.size();
    const std::size_t dims = m_coordinates.size();
    const auto failures = static_cast<std::size_t>(std::count(failed.begin(), failed.end(), true));
    m_active = failures > 0;
    m_gp_ready = false;
    if (!m_active) {
        return;
    }

    // Per level: successes and failures; a level that never succeeded gets 1 / (f + 2), the
    // posterior mean of a uniform prior on its success rate.
    m_level_ok.assign(dims, {});
    for (std::size_t d = 0; d < dims; ++d) {
        const Coordinate& c = m_coordinates[d];
        if (c.kind != Coordinate::Kind::categorical) {
            continue;
        }
        std::vector<std::size_t> ok(c.levels, 0);
        std::vector<std::size_t> bad(c.levels, 0);
        for (std::size_t i = 0; i < n; ++i) {
            const auto level = static_cast<std::size_t>(x[i * dims + d]);
            if (level < c.levels) {
                (failed[i] ? bad : ok)[level] += 1;
            }
        }
        m_level_ok[d].assign(c.levels, 1.0);
        for (std::size_t l = 0; l < c.levels; ++l) {
            if (ok[l] == 0 && bad[l] > 0) {
                m_level_ok[d][l] = 1.0 / static_cast<double>(bad[l] + 2);
            }
        }
    }

    // Labels 1 (failed) and 0, centred on the smoothed failure rate and scaled to unit variance
    // as the process expects; far from every observation it predicts that rate.
    m_rate = (static_cast<double>(failures) + 1) / (static_cast<double>(n) + 2);
    m_scale = std::sqrt(m_rate * (1 - m_rate));
    std::vector<double> z(n);
    for (std::size_t i = 0; i < n; ++i) {
        z[i] = ((failed[i] ? 1.0 : 0.0) - m_rate) / m_scale;
    }
    m_gp.set_data(x, std::move(z));
    std::vector<std::size_t> rows(std::min(n, k_fit_rows));
    std::iota(rows.begin(), rows.end(), n - rows.size());
    const bool first_fit = !m_params;
    if (first_fit) {
        m_params = m_gp.default_params();
    }
    m_gp.fit(*m_params, first_fit ? k_first_fit_evals : k_refit_evals, rows);
    m_gp_ready = m_gp.condition(*m_params);
    if (!m_gp_ready) {
        m_params.reset(); // the level estimates alone this time
    }
}

void FeasibilityModel::predict(const double* points, std::size_t m, double* p_ok) const
{
    std::fill(p_ok, p_ok + m, 1.0);
    if (!m_active) {
        return;
    }
    const std::size_t dims = m_coordinates.size();
    if (m_gp_ready) {
        m_mean.resize(m);
        m_var.resize(m);
        m_gp.predict(points, m, m_mean.data(), m_var.data());
        // The label's posterior is normal; success is where it stays below one half.
        for (std::size_t i = 0; i < m; ++i) {
            const double label = m_rate + m_scale * m_mean[i];
            const double sd = m_scale * std::sqrt(std::max(m_var[i], 1e-12));
            p_ok[i] = 0.5 * std::erfc((label - 0.5) / (sd * std::sqrt(2.0)));
        }
    }
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t d = 0; d < dims; ++d) {
            if (m_level_ok[d].empty()) {
                continue;
            }
            const auto level = static_cast<std::size_t>(points[i * dims + d]);
            if (level < m_level_ok[d].size()) {
                p_ok[i] = std::min(p_ok[i], m_level_ok[d][level]);
            }
        }
        p_ok[i] = std::max(p_ok[i], k_min_p_ok);
    }
}

} // namespace mlosbench::detail
