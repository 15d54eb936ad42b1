#include "space_encoder.hpp"

#include "mlosbench/util/box_muller.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mlosbench::detail {
namespace {

double as_double(const TunableValue& v)
{
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        return static_cast<double>(*i);
    }
    return std::get<double>(v);
}

std::vector<double> normalized(std::vector<double> w)
{
    const double sum = std::accumulate(w.begin(), w.end(), 0.0);
    for (double& x : w) {
        x = sum > 0 ? x / sum : 1.0 / static_cast<double>(w.size());
    }
    return w;
}

} // namespace

double standard_normal(std::mt19937_64& rng)
{
    const double u1 = 1.0 - uniform01(rng); // (0, 1]
    const double u2 = uniform01(rng);
    return box_muller(u1, u2);
}

std::size_t uniform_index(std::mt19937_64& rng, std::size_t n)
{
    return std::min(n - 1, static_cast<std::size_t>(uniform01(rng) * static_cast<double>(n)));
}

std::size_t weighted_index(std::mt19937_64& rng, const std::vector<double>& weights)
{
    const double u = uniform01(rng);
    double acc = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        acc += weights[i];
        if (u < acc) {
            return i;
        }
    }
    return weights.size() - 1;
}

SpaceEncoder::SpaceEncoder(const TunableGroups& space) : m_tunables(space.tunables())
{
    for (std::size_t ti = 0; ti < m_tunables.size(); ++ti) {
        const Tunable& t = *m_tunables[ti];
        Coordinate c;
        c.tunable = ti;
        if (t.type() == TunableType::categorical) {
            c.kind = Coordinate::Kind::categorical;
            c.levels = t.values().size();
            c.level_weights =
                normalized(t.values_weights().empty() ? std::vector<double>(c.levels, 1.0)
                                                      : t.values_weights());
            m_value_coord.push_back(static_cast<int>(m_coords.size()));
            m_switch_coord.push_back(-1);
            m_coords.push_back(std::move(c));
            continue;
        }
        c.kind = Coordinate::Kind::numeric;
        c.integer = t.type() == TunableType::integer;
        const bool quantized = t.quantization_bins().has_value();
        // An int owns the cell [v - 0.5, v + 0.5] so that every value gets the same width.
        const double pad = c.integer && !quantized ? 0.5 : 0.0;
        c.log = t.log_scale() && t.lower() - pad > 0;
        c.has_distribution =
            t.distribution().has_value() && t.distribution()->kind != Distribution::Kind::uniform;
        const auto m = [&](double v) { return c.log ? std::log(v) : v; };
        c.a = m(t.lower() - pad);
        c.b = m(t.upper() + pad);
        if (quantized) {
            for (const TunableValue& p : t.quantized_points()) {
                c.grid_values.push_back(p);
            }
            for (const TunableValue& p : c.grid_values) {
                c.grid.push_back(to_unit(c, as_double(p)));
            }
        }
        const int value_index = static_cast<int>(m_coords.size());
        m_value_coord.push_back(value_index);
        m_coords.push_back(std::move(c));
        if (t.special().empty()) {
            m_switch_coord.push_back(-1);
            continue;
        }
        Coordinate s;
        s.kind = Coordinate::Kind::categorical;
        s.tunable = ti;
        s.is_switch = true;
        s.partner = value_index;
        s.levels = 1 + t.special().size();
        // The switch between the range and the specials as Tunable::sample draws it.
        double range_share = 0.5;
        std::vector<double> special_share(t.special().size(), 1.0);
        if (!t.special_weights().empty() && t.range_weight()) {
            const double sw =
                std::accumulate(t.special_weights().begin(), t.special_weights().end(), 0.0);
            range_share =
                sw + *t.range_weight() > 0 ? *t.range_weight() / (sw + *t.range_weight()) : 0.5;
            special_share = t.special_weights();
        }
        special_share = normalized(special_share);
        s.level_weights.push_back(range_share);
        for (double w : special_share) {
            s.level_weights.push_back((1.0 - range_share) * w);
        }
        m_coords[static_cast<std::size_t>(value_index)].partner = static_cast<int>(m_coords.size());
        m_switch_coord.push_back(static_cast<int>(m_coords.size()));
        m_coords.push_back(std::move(s));
    }
}

double SpaceEncoder::to_unit(const Coordinate& c, double value) const
{
    const double m = c.log ? std::log(value) : value;
    return std::clamp((m - c.a) / (c.b - c.a), 0.0, 1.0);
}

TunableValue SpaceEncoder::from_unit(const Coordinate& c, double u) const
{
    const Tunable& t = *m_tunables[c.tunable];
    u = std::clamp(u, 0.0, 1.0);
    if (!c.grid.empty()) {
        const auto it = std::lower_bound(c.grid.begin(), c.grid.end(), u);
        std::size_t i = static_cast<std::size_t>(it - c.grid.begin());
        if (i == c.grid.size() || (i > 0 && u - c.grid[i - 1] < c.grid[i] - u)) {
            i = i == 0 ? 0 : i - 1;
        }
        return c.grid_values[i];
    }
    const double m = c.a + u * (c.b - c.a);
    const double v = std::clamp(c.log ? std::exp(m) : m, t.lower(), t.upper());
    if (c.integer) {
        return static_cast<std::int64_t>(std::clamp(std::round(v), t.lower(), t.upper()));
    }
    return v;
}

std::vector<double> SpaceEncoder::encode(const TunableValues& values) const
{
    std::vector<double> x(m_coords.size(), 0.0);
    for (std::size_t ti = 0; ti < m_tunables.size(); ++ti) {
        const Tunable& t = *m_tunables[ti];
        const TunableValue& v = values.at(t.name());
        const auto vi = static_cast<std::size_t>(m_value_coord[ti]);
        if (t.type() == TunableType::categorical) {
            const auto& levels = t.values();
            const auto it = std::find(levels.begin(), levels.end(), std::get<std::string>(v));
            x[vi] = static_cast<double>(it - levels.begin());
            continue;
        }
        const int si = m_switch_coord[ti];
        if (si >= 0) {
            const auto& specials = t.special();
            const auto it = std::find(specials.begin(), specials.end(), v);
            if (it != specials.end()) {
                x[static_cast<std::size_t>(si)] = 1.0 + static_cast<double>(it - specials.begin());
                x[vi] = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            x[static_cast<std::size_t>(si)] = 0.0;
        }
        const Coordinate& c = m_coords[vi];
        const double u = to_unit(c, as_double(v));
        // Quantized values sit on their point, so that encode(decode(x)) == x.
        x[vi] = c.grid.empty() ? u : to_unit(c, as_double(from_unit(c, u)));
    }
    return x;
}

TunableValues SpaceEncoder::decode(const double* x) const
{
    TunableValues out;
    for (std::size_t ti = 0; ti < m_tunables.size(); ++ti) {
        const Tunable& t = *m_tunables[ti];
        const auto vi = static_cast<std::size_t>(m_value_coord[ti]);
        if (t.type() == TunableType::categorical) {
            const auto level = static_cast<std::size_t>(
                std::clamp(x[vi], 0.0, static_cast<double>(t.values().size() - 1)));
            out.emplace(t.name(), t.values()[level]);
            continue;
        }
        const int si = m_switch_coord[ti];
        if (si >= 0 && x[si] >= 0.5) {
            // x >= 0.5 here: half up by truncation, as the seeded suggestions were made.
            // NOLINTNEXTLINE(bugprone-incorrect-roundings)
            const auto level = static_cast<std::size_t>(x[si] + 0.5);
            out.emplace(t.name(), t.special()[std::min(level, t.special().size()) - 1]);
            continue;
        }
        out.emplace(t.name(), from_unit(m_coords[vi], std::isnan(x[vi]) ? 0.5 : x[vi]));
    }
    return out;
}

void SpaceEncoder::snap(double* x, std::mt19937_64& rng) const
{
    for (std::size_t d = 0; d < m_coords.size(); ++d) {
        const Coordinate& c = m_coords[d];
        if (c.kind == Coordinate::Kind::categorical) {
            x[d] = std::clamp(std::round(x[d]), 0.0, static_cast<double>(c.levels - 1));
            continue;
        }
        if (c.partner >= 0 && x[c.partner] >= 0.5) {
            x[d] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        if (std::isnan(x[d])) {
            x[d] = uniform01(rng); // back from a special value to the range
        }
        x[d] = std::clamp(x[d], 0.0, 1.0);
        if (c.integer || !c.grid.empty()) {
            x[d] = to_unit(c, as_double(from_unit(c, x[d])));
        }
    }
}

void SpaceEncoder::sample_prior(double* x, std::mt19937_64& rng) const
{
    TunableValues values;
    for (const Tunable* t : m_tunables) {
        values.emplace(t->name(), t->sample(rng));
    }
    const std::vector<double> e = encode(values);
    std::copy(e.begin(), e.end(), x);
}

void SpaceEncoder::sample(double* x, std::mt19937_64& rng) const
{
    bool any_distribution = false;
    for (std::size_t d = 0; d < m_coords.size(); ++d) {
        const Coordinate& c = m_coords[d];
        if (c.kind == Coordinate::Kind::categorical) {
            x[d] = static_cast<double>(weighted_index(rng, c.level_weights));
        } else {
            x[d] = uniform01(rng);
            any_distribution = any_distribution || c.has_distribution;
        }
    }
    if (any_distribution) {
        std::vector<double> prior(m_coords.size());
        sample_prior(prior.data(), rng);
        for (std::size_t d = 0; d < m_coords.size(); ++d) {
            if (m_coords[d].has_distribution && !std::isnan(prior[d])) {
                x[d] = prior[d];
            }
        }
    }
    snap(x, rng);
}

std::vector<double> SpaceEncoder::design(std::size_t count, std::mt19937_64& rng) const
{
    const std::size_t dim = m_coords.size();
    std::vector<double> points(count * dim);
    for (std::size_t i = 0; i < count; ++i) {
        sample(&points[i * dim], rng);
    }
    std::vector<std::size_t> perm(count);
    for (std::size_t d = 0; d < dim; ++d) {
        const Coordinate& c = m_coords[d];
        if (c.has_distribution) {
            continue;
        }
        std::iota(perm.begin(), perm.end(), 0);
        for (std::size_t i = count; i > 1; --i) {
            std::swap(perm[i - 1], perm[uniform_index(rng, i)]);
        }
        for (std::size_t i = 0; i < count; ++i) {
            const double u =
                (static_cast<double>(perm[i]) + uniform01(rng)) / static_cast<double>(count);
            if (c.kind == Coordinate::Kind::numeric) {
                points[i * dim + d] = u;
                continue;
            }
            // Stratified levels: the inverse of the cumulative weights at u.
            double acc = 0;
            std::size_t level = c.levels - 1;
            for (std::size_t l = 0; l < c.levels; ++l) {
                acc += c.level_weights[l];
                if (u < acc) {
                    level = l;
                    break;
                }
            }
            points[i * dim + d] = static_cast<double>(level);
        }
    }
    for (std::size_t i = 0; i < count; ++i) {
        snap(&points[i * dim], rng);
    }
    return points;
}

std::string SpaceEncoder::key(const double* x) const
{
    std::string out;
    for (const auto& [name, value] : decode(x)) {
        out += name;
        out += '=';
        out += to_text(value);
        out += '\n';
    }
    return out;
}

} // namespace mlosbench::detail
