#include "tpe_optimizer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mlosbench {
namespace {

using detail::Coordinate;
using detail::standard_normal;
using detail::uniform01;
using detail::uniform_index;

// Scores as the surrogate sees them: z = log(y - min + c), c = the median of y - min, then
// standardised; failed trials (+inf) get the worst finite score. The log tames heavy tails
// (Rosenbrock-like scores spanning decades) while c keeps it close to linear near the best,
// so that tiny improvements of the incumbent do not look large (as ranks would make them) and
// the search moves on to other regions instead of polishing one.
std::vector<double> warp(const std::vector<double>& scores)
{
    std::vector<double> finite;
    for (double v : scores) {
        if (std::isfinite(v)) {
            finite.push_back(v);
        }
    }
    std::vector<double> z(scores.size(), 0.0);
    if (finite.empty()) {
        return z;
    }
    std::sort(finite.begin(), finite.end());
    const double lo = finite.front();
    const double hi = finite.back();
    const double shift = std::max({finite[(finite.size() - 1) / 2] - lo, 1e-3 * (hi - lo), 1e-12});
    double mean = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        z[i] = std::log((std::isfinite(scores[i]) ? scores[i] : hi) - lo + shift);
        mean += z[i];
    }
    mean /= static_cast<double>(z.size());
    double var = 0;
    for (double v : z) {
        var += (v - mean) * (v - mean);
    }
    const double sd = std::sqrt(var / static_cast<double>(z.size()));
    for (double& v : z) {
        v = sd > 0 ? (v - mean) / sd : 0.0;
    }
    return z;
}

// Indices 0..n-1 ordered by increasing value.
std::vector<std::size_t> order_by(const std::vector<double>& values)
{
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    return order;
}

} // namespace

TpeOptimizer::TpeOptimizer(std::string name,
                           const OptimizerSpec& spec,
                           const TunableGroups& space,
                           TpeSettings settings)
    : BaseOptimizer(std::move(name), spec, space), m_settings(settings), m_encoder(space),
      m_gp([&] {
          std::vector<bool> categorical;
          for (const Coordinate& c : m_encoder.coordinates()) {
              categorical.push_back(c.kind == Coordinate::Kind::categorical);
          }
          return categorical;
      }()),
      m_feasibility(m_encoder.coordinates())
{
    if (m_settings.n_random_init == 0) {
        m_settings.n_random_init = std::clamp<std::size_t>(space.size() + 1, 5, 10);
    }
}

bool TpeOptimizer::known(const std::string& key) const
{
    return m_observed_keys.count(key) != 0 ||
           std::any_of(m_pending.begin(), m_pending.end(),
                       [&](const Point& p) { return p.key == key; });
}

void TpeOptimizer::on_register(const std::vector<Scored>& batch)
{
    for (const Scored& s : batch) {
        if (!s.config) {
            spdlog::debug("{}: a trial outside the tunable space is not learnt from", name());
            continue;
        }
        Point p;
        p.x = m_encoder.encode(*s.config);
        p.key = m_encoder.key(p.x.data());
        const auto it = std::find_if(m_pending.begin(), m_pending.end(),
                                     [&](const Point& q) { return q.key == p.key; });
        if (it != m_pending.end()) {
            m_pending.erase(it);
        }
        if (!s.finished) {
            continue;
        }
        p.values = s.values;
        p.ok = s.ok;
        m_observed_keys.insert(p.key);
        if (p.ok) {
            m_ok_keys.insert(p.key);
            m_failed_keys.erase(p.key);
        } else if (m_ok_keys.count(p.key) == 0) {
            m_failed_keys.insert(p.key);
        }
        m_observed.push_back(std::move(p));
    }
}

std::optional<Suggestion> TpeOptimizer::next()
{
    Suggestion out;
    std::vector<double> x;
    if (start_with_defaults_pending()) {
        out.config = space().values();
        out.is_defaults = true;
        x = m_encoder.encode(out.config);
    } else {
        const auto successes = std::count_if(m_observed.begin(), m_observed.end(),
                                             [](const Point& p) { return p.ok; });
        if (successes < static_cast<std::ptrdiff_t>(m_observed.size())) {
            train_feasibility();
        }
        if (m_observed.size() + m_pending.size() >= m_settings.n_random_init && successes >= 2) {
            x = model_point();
        }
        if (x.empty()) {
            x = design_point();
        }
        out.config = m_encoder.decode(x.data());
    }
    Point p;
    p.key = m_encoder.key(x.data());
    p.x = std::move(x);
    m_pending.push_back(std::move(p));
    return out;
}

void TpeOptimizer::train_feasibility()
{
    // The most recent observations, as many as the surrogate may use.
    const std::size_t dim = m_encoder.dims();
    const std::size_t n = std::min(m_observed.size(), m_settings.max_model_points);
    std::vector<double> x;
    x.reserve(n * dim);
    std::vector<bool> failed;
    for (std::size_t i = m_observed.size() - n; i < m_observed.size(); ++i) {
        x.insert(x.end(), m_observed[i].x.begin(), m_observed[i].x.end());
        failed.push_back(!m_observed[i].ok);
    }
    m_feasibility.train(x, failed);
}

double TpeOptimizer::p_ok(const double* x) const
{
    double p = 1;
    m_feasibility.predict(x, 1, &p);
    return p;
}

std::vector<double> TpeOptimizer::design_point()
{
    const std::size_t dim = m_encoder.dims();
    if (m_design.empty()) {
        m_design = m_encoder.design(m_settings.n_random_init, rng());
    }
    // Design points predicted to fail are passed over: their place goes to a prior sample.
    const auto feasible = [&](const double* x) {
        return p_ok(x) > detail::FeasibilityModel::k_infeasible;
    };
    while (m_design_next < m_settings.n_random_init) {
        const double* x = &m_design[m_design_next * dim];
        ++m_design_next;
        if (!known(m_encoder.key(x)) && feasible(x)) {
            return {x, x + dim};
        }
    }
    std::vector<double> x(dim);
    std::vector<double> fallback;
    double fallback_rank = -1;
    for (int attempt = 0; attempt < 100; ++attempt) {
        m_encoder.sample(x.data(), rng());
        const std::string key = m_encoder.key(x.data());
        const bool is_new = !known(key);
        const double p = p_ok(x.data());
        const bool likely = p > detail::FeasibilityModel::k_infeasible;
        if (is_new && likely) {
            return x;
        }
        // Failing that, never a config that failed: a repeat predicted to succeed, else a new
        // config, the likeliest to succeed.
        if (m_failed_keys.count(key) == 0) {
            const double rank = (likely ? 2.0 : 0.0) + (is_new ? 1.0 : 0.0) + p;
            if (rank > fallback_rank) {
                fallback_rank = rank;
                fallback = x;
            }
        }
    }
    return !m_feasibility.active() || fallback.empty() ? x : fallback;
}

std::vector<double> TpeOptimizer::scalar_scores()
{
    const std::size_t targets = signs().size();
    std::vector<double> s(m_observed.size());
    if (targets == 1) {
        for (std::size_t i = 0; i < m_observed.size(); ++i) {
            s[i] = m_observed[i].values[0];
        }
        return s;
    }
    // ParEGO: each target scaled to [0, 1] over the successful trials, then an augmented
    // Chebyshev scalarisation with weights drawn afresh for each suggestion, so that the
    // suggestions spread along the Pareto front.
    std::vector<double> lo(targets, std::numeric_limits<double>::infinity());
    std::vector<double> hi(targets, -std::numeric_limits<double>::infinity());
    for (const Point& p : m_observed) {
        for (std::size_t t = 0; p.ok && t < targets; ++t) {
            lo[t] = std::min(lo[t], p.values[t]);
            hi[t] = std::max(hi[t], p.values[t]);
        }
    }
    std::vector<double> weight(targets);
    double total = 0;
    for (double& w : weight) {
        w = -std::log(1.0 - uniform01(rng())); // uniform on the simplex once normalised
        total += w;
    }
    for (std::size_t i = 0; i < m_observed.size(); ++i) {
        const Point& p = m_observed[i];
        if (!p.ok) {
            s[i] = std::numeric_limits<double>::infinity();
            continue;
        }
        double worst = 0;
        double sum = 0;
        for (std::size_t t = 0; t < targets; ++t) {
            const double span = hi[t] - lo[t];
            const double f = weight[t] / total * (span > 0 ? (p.values[t] - lo[t]) / span : 0.0);
            worst = std::max(worst, f);
            sum += f;
        }
        s[i] = worst + 0.05 * sum;
    }
    return s;
}

std::vector<std::size_t> TpeOptimizer::model_rows(const std::vector<double>& scores) const
{
    const std::size_t n = scores.size();
    std::vector<std::size_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0);
    const std::size_t cap = m_settings.max_model_points;
    if (n <= cap) {
        return rows;
    }
    std::vector<bool> chosen(n, false);
    const std::vector<std::size_t> by_score = order_by(scores);
    for (std::size_t i = 0; i < cap / 2; ++i) {
        chosen[by_score[i]] = true;
    }
    std::size_t count = cap / 2;
    for (std::size_t i = n; i-- > 0 && count < cap;) {
        if (!chosen[i]) {
            chosen[i] = true;
            ++count;
        }
    }
    rows.clear();
    for (std::size_t i = 0; i < n; ++i) {
        if (chosen[i]) {
            rows.push_back(i);
        }
    }
    return rows;
}

void TpeOptimizer::perturb(const double* center, double sigma, double* out)
{
    const std::size_t dim = m_encoder.dims();
    std::copy(center, center + dim, out);
    // About two coordinates move: a search along few directions at a time finds the moves
    // that help in a high-dimensional space; all of them in one or two dimensions.
    const double p = std::min(1.0, 2.0 / static_cast<double>(dim));
    // Without a coordinate that can move (one level each, specials in use) `out` stays `center`.
    bool movable = false;
    for (std::size_t d = 0; d < dim && !movable; ++d) {
        const Coordinate& c = m_encoder.coordinates()[d];
        movable = c.kind == Coordinate::Kind::categorical ? c.levels > 1 : !std::isnan(out[d]);
    }
    for (bool changed = !movable; !changed;) {
        for (std::size_t d = 0; d < dim; ++d) {
            if (uniform01(rng()) >= p) {
                continue;
            }
            const Coordinate& c = m_encoder.coordinates()[d];
            if (c.kind == Coordinate::Kind::categorical) {
                if (c.levels > 1) {
                    const std::size_t shift = 1 + uniform_index(rng(), c.levels - 1);
                    out[d] =
                        static_cast<double>((static_cast<std::size_t>(out[d]) + shift) % c.levels);
                    changed = true;
                }
            } else if (!std::isnan(out[d])) {
                double v = out[d] + sigma * standard_normal(rng());
                v = v < 0 ? -v : v; // reflected at the bounds
                v = v > 1 ? 2 - v : v;
                out[d] = std::clamp(v, 0.0, 1.0);
                changed = true;
            }
        }
    }
    m_encoder.snap(out, rng());
}

std::vector<double> TpeOptimizer::model_point()
{
    const std::size_t dim = m_encoder.dims();
    const bool constrained = m_feasibility.active();
    const std::vector<double> scores = scalar_scores();
    const std::vector<double> z_all = warp(scores);
    const std::vector<std::size_t> rows = model_rows(scores);

    // Training data: the chosen observations, then the pending suggestions as average results
    // (a constant liar), so that parallel trial runners are not sent to the same place.
    std::vector<double> x;
    std::vector<double> z;
    std::vector<double> z_rows;
    for (std::size_t i : rows) {
        x.insert(x.end(), m_observed[i].x.begin(), m_observed[i].x.end());
        z_rows.push_back(z_all[i]);
    }
    z = z_rows;
    const double best_z = *std::min_element(z_rows.begin(), z_rows.end());
    for (const Point& p : m_pending) {
        x.insert(x.end(), p.x.begin(), p.x.end());
        z.push_back(0.0);
    }
    m_gp.set_data(std::move(x), std::move(z));

    // Hyperparameters: a full fit the first time, then a few warm-started steps each time,
    // on the best half and a random half of the rows when there are many.
    const std::vector<std::size_t> by_z = order_by(z_rows);
    std::vector<std::size_t> fit_rows;
    const std::size_t fit_cap = m_settings.max_fit_points;
    if (by_z.size() > fit_cap) {
        fit_rows.assign(by_z.begin(), by_z.begin() + static_cast<std::ptrdiff_t>(fit_cap / 2));
        std::vector<std::size_t> rest(by_z.begin() + static_cast<std::ptrdiff_t>(fit_cap / 2),
                                      by_z.end());
        for (std::size_t i = 0; fit_rows.size() < fit_cap; ++i) {
            std::swap(rest[i], rest[i + uniform_index(rng(), rest.size() - i)]);
            fit_rows.push_back(rest[i]);
        }
        std::sort(fit_rows.begin(), fit_rows.end());
    } else {
        fit_rows.assign(by_z.size(), 0); // the observations, without the pending rows
        std::iota(fit_rows.begin(), fit_rows.end(), 0);
    }
    const bool first_fit = !m_params;
    if (first_fit) {
        m_params = m_gp.default_params();
    }
    m_gp.fit(*m_params, first_fit ? m_settings.first_fit_evals : m_settings.refit_evals, fit_rows);
    if (!m_gp.condition(*m_params)) {
        spdlog::debug("{}: the surrogate could not be fitted; sampling at random", name());
        m_params.reset();
        return {};
    }

    // Candidates: prior samples, and perturbations of the five best observations (the best
    // one half of the time) at scales from 0.002 to 0.2 of the unit range.
    const std::size_t n_global = m_settings.global_candidates;
    const std::size_t n_local = m_settings.local_candidates;
    std::vector<double> pool((n_global + n_local) * dim);
    for (std::size_t i = 0; i < n_global; ++i) {
        m_encoder.sample(&pool[i * dim], rng());
    }
    const std::size_t top = std::min<std::size_t>(by_z.size(), 5);
    for (std::size_t i = 0; i < n_local; ++i) {
        const std::size_t pick = uniform01(rng()) < 0.5 ? 0 : uniform_index(rng(), top);
        const double sigma = 0.002 * std::exp(uniform01(rng()) * std::log(100.0));
        perturb(m_observed[rows[by_z[pick]]].x.data(), sigma, &pool[(n_global + i) * dim]);
    }
    std::vector<double> mean;
    std::vector<double> var;
    // log EI, plus twice the log of the probability of success once a trial failed (expected
    // constrained improvement, with the probability squared: a failed trial costs a whole
    // trial and tells less than a success; tuned on mixedsys_fail); `p` receives it.
    const auto acquisition = [&](const std::vector<double>& points, std::size_t count,
                                 std::vector<double>& out, std::vector<double>& p) {
        mean.resize(count);
        var.resize(count);
        out.resize(count);
        p.resize(count);
        m_gp.predict(points.data(), count, mean.data(), var.data());
        m_feasibility.predict(points.data(), count, p.data());
        for (std::size_t i = 0; i < count; ++i) {
            out[i] = detail::log_expected_improvement(mean[i], std::sqrt(var[i]), best_z);
            if (constrained) {
                out[i] += 2 * std::log(p[i]);
            }
        }
    };
    std::vector<double> pool_acq;
    std::vector<double> pool_p;
    acquisition(pool, n_global + n_local, pool_acq, pool_p);

    // Refinement: chains started at the best candidates; each round tries a few neighbours
    // and keeps the best, halving the step when none improves.
    std::vector<std::size_t> order(pool_acq.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return pool_acq[a] > pool_acq[b]; });
    const std::size_t chains = std::min(m_settings.refine_chains, order.size());
    const std::size_t children = m_settings.refine_children;
    std::vector<double> chain_x(chains * dim);
    std::vector<double> chain_acq(chains);
    std::vector<double> chain_p(chains);
    std::vector<double> chain_sigma(chains, 0.05);
    for (std::size_t c = 0; c < chains; ++c) {
        std::copy_n(&pool[order[c] * dim], dim, &chain_x[c * dim]);
        chain_acq[c] = pool_acq[order[c]];
        chain_p[c] = pool_p[order[c]];
    }
    std::vector<double> trial(chains * children * dim);
    std::vector<double> trial_acq;
    std::vector<double> trial_p;
    for (int round = 0; round < m_settings.refine_rounds; ++round) {
        for (std::size_t c = 0; c < chains; ++c) {
            for (std::size_t k = 0; k < children; ++k) {
                perturb(&chain_x[c * dim], chain_sigma[c], &trial[(c * children + k) * dim]);
            }
        }
        acquisition(trial, chains * children, trial_acq, trial_p);
        for (std::size_t c = 0; c < chains; ++c) {
            bool improved = false;
            for (std::size_t k = c * children; k < (c + 1) * children; ++k) {
                if (trial_acq[k] > chain_acq[c]) {
                    chain_acq[c] = trial_acq[k];
                    chain_p[c] = trial_p[k];
                    std::copy_n(&trial[k * dim], dim, &chain_x[c * dim]);
                    improved = true;
                }
            }
            chain_sigma[c] *= improved ? 1.0 : 0.5;
        }
    }
    pool.insert(pool.end(), chain_x.begin(), chain_x.end());
    pool_acq.insert(pool_acq.end(), chain_acq.begin(), chain_acq.end());
    pool_p.insert(pool_p.end(), chain_p.begin(), chain_p.end());

    // The best candidate that is not a config already tried or pending (and not predicted to
    // fail). When every new one is predicted to fail: the best that succeeded before (a
    // repeat), else the best new one. A config that failed is never suggested again.
    order.resize(pool_acq.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return pool_acq[a] > pool_acq[b]; });
    const auto pick = [&](const auto& accept) -> std::vector<double> {
        for (std::size_t i : order) {
            const double* px = &pool[i * dim];
            if (accept(m_encoder.key(px), pool_p[i] > detail::FeasibilityModel::k_infeasible)) {
                return {px, px + dim};
            }
        }
        return {};
    };
    std::vector<double> best =
        pick([&](const std::string& key, bool feasible) { return feasible && !known(key); });
    if (best.empty() && constrained) {
        best = pick([&](const std::string& key, bool feasible) {
            return feasible && m_ok_keys.count(key) != 0;
        });
    }
    if (best.empty() && constrained) {
        best = pick([&](const std::string& key, bool /*feasible*/) { return !known(key); });
    }
    return best;
}

} // namespace mlosbench
