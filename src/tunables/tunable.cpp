#include "mlosbench/tunables/tunable.hpp"

#include "mlosbench/util/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

namespace mlosbench {
namespace {

// Python's str() of a float: shortest round-trip digits, "1.0" rather than "1".
std::string format_float(double value)
{
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    std::string text(buffer, end);
    if (text.find_first_of(".e") == std::string::npos) {
        text += ".0";
    }
    return text;
}

std::string json_scalar_text(const Json& value)
{
    if (value.is_boolean()) {
        return value.get<bool>() ? "True" : "False";
    }
    if (value.is_number_float()) {
        return format_float(value.get<double>());
    }
    return json_to_text(value);
}

std::optional<double> parse_number(const std::string& text)
{
    double out = 0;
    const std::string trimmed = text;
    auto [ptr, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), out);
    if (ec != std::errc() || ptr != trimmed.data() + trimmed.size()) {
        return std::nullopt;
    }
    return out;
}

std::vector<double> read_weights(const Json& def, const char* key)
{
    std::vector<double> out;
    if (def.contains(key)) {
        for (const auto& w : def.at(key)) {
            out.push_back(w.get<double>());
        }
    }
    return out;
}

std::size_t pick_weighted(const std::vector<double>& weights, std::mt19937_64& rng)
{
    std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
    return pick(rng);
}

} // namespace

Json to_json(const TunableValue& value)
{
    return std::visit([](const auto& v) { return Json(v); }, value);
}

std::string to_text(const TunableValue& value)
{
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        return std::to_string(*i);
    }
    if (const auto* d = std::get_if<double>(&value)) {
        return format_float(*d);
    }
    return std::get<std::string>(value);
}

std::string_view type_name(TunableType type)
{
    switch (type) {
    case TunableType::integer:
        return "int";
    case TunableType::floating:
        return "float";
    case TunableType::categorical:
        return "categorical";
    }
    return "?";
}

Tunable Tunable::from_json(const std::string& name, const Json& def, const std::string& file,
                           const std::string& pointer)
{
    const auto fail = [&](const std::string& sub, const std::string& message) {
        throw ConfigError(file, pointer + sub, message);
    };
    if (!def.is_object()) {
        fail("", "expected a tunable definition object, got " + json_type_name(def));
    }
    if (name.find('!') != std::string::npos) {
        fail("", "tunable name '" + name + "' must not contain '!'");
    }
    Tunable t;
    t.m_name = name;
    const std::string type = def.value("type", "");
    if (type == "int") {
        t.m_type = TunableType::integer;
    } else if (type == "float") {
        t.m_type = TunableType::floating;
    } else if (type == "categorical") {
        t.m_type = TunableType::categorical;
    } else {
        fail("/type", "expected \"int\", \"float\" or \"categorical\"");
    }
    if (def.contains("description") && def.at("description").is_string()) {
        t.m_description = def.at("description").get<std::string>();
    }
    if (def.contains("meta")) {
        t.m_meta = def.at("meta");
    }
    if (!def.contains("default")) {
        fail("", "missing required key 'default'");
    }

    if (t.m_type == TunableType::categorical) {
        if (!def.contains("values") || !def.at("values").is_array() || def.at("values").empty()) {
            fail("/values", "a categorical tunable needs a non-empty 'values' list");
        }
        std::set<std::string> seen;
        for (const auto& v : def.at("values")) {
            std::string text = json_scalar_text(v);
            if (!seen.insert(text).second) {
                fail("/values", "duplicate value '" + text + "'");
            }
            t.m_values.push_back(std::move(text));
        }
        t.m_values_weights = read_weights(def, "values_weights");
        if (!t.m_values_weights.empty() && t.m_values_weights.size() != t.m_values.size()) {
            fail("/values_weights", "expected " + std::to_string(t.m_values.size()) +
                                        " weights (one per value), got " +
                                        std::to_string(t.m_values_weights.size()));
        }
    } else {
        if (!def.contains("range") || !def.at("range").is_array() ||
            def.at("range").size() != 2) {
            fail("/range", "a numeric tunable needs 'range': [lower, upper]");
        }
        const Json& range = def.at("range");
        if (t.m_type == TunableType::integer &&
            (!range[0].is_number_integer() || !range[1].is_number_integer())) {
            fail("/range", "an int tunable needs integer bounds");
        }
        t.m_lower = range[0].get<double>();
        t.m_upper = range[1].get<double>();
        if (!(t.m_lower < t.m_upper)) {
            fail("/range", "lower bound " + json_to_text(range[0]) +
                               " must be below upper bound " + json_to_text(range[1]));
        }
        if (def.contains("special")) {
            for (const auto& s : def.at("special")) {
                if (!s.is_number()) {
                    fail("/special", "special values of a numeric tunable must be numbers, got " +
                                         json_type_name(s));
                }
                if (t.m_type == TunableType::integer) {
                    if (!s.is_number_integer()) {
                        fail("/special", "special values of an int tunable must be integers");
                    }
                    t.m_special.emplace_back(s.get<std::int64_t>());
                } else {
                    t.m_special.emplace_back(s.get<double>());
                }
            }
        }
        if (def.contains("quantization_bins")) {
            const Json& q = def.at("quantization_bins");
            if (!q.is_number_integer() || q.get<std::int64_t>() <= 1 ||
                q.get<std::int64_t>() > k_max_quantization_bins) {
                fail("/quantization_bins", "expected an integer from 2 to " +
                                               std::to_string(k_max_quantization_bins) + ", got " +
                                               q.dump());
            }
            t.m_quantization_bins = q.get<int>();
        }
        t.m_log = def.value("log", false);
        if (t.m_log && !(t.m_lower > 0)) {
            fail("/range", "a log-scale tunable needs a range above 0 (log of 0 or of a negative "
                           "number is undefined), got [" +
                               json_to_text(range[0]) + ", " + json_to_text(range[1]) + "]");
        }
        if (def.contains("distribution")) {
            const Json& d = def.at("distribution");
            Distribution dist;
            const std::string kind = d.value("type", "");
            const Json params = d.value("params", Json::object());
            if (kind == "uniform") {
                dist.kind = Distribution::Kind::uniform;
            } else if (kind == "normal") {
                dist.kind = Distribution::Kind::normal;
                dist.first = params.value("mu", 0.0);
                dist.second = params.value("sigma", 1.0);
                if (dist.second <= 0) {
                    fail("/distribution/params/sigma", "expected a number greater than 0");
                }
            } else if (kind == "beta") {
                dist.kind = Distribution::Kind::beta;
                dist.first = params.value("alpha", 1.0);
                dist.second = params.value("beta", 1.0);
                if (dist.first <= 0 || dist.second <= 0) {
                    fail("/distribution/params", "alpha and beta must be greater than 0");
                }
            } else {
                fail("/distribution/type", "expected \"uniform\", \"normal\" or \"beta\"");
            }
            t.m_distribution = dist;
        }
        t.m_special_weights = read_weights(def, "special_weights");
        if (def.contains("range_weight")) {
            t.m_range_weight = def.at("range_weight").get<double>();
        }
        if (!t.m_special_weights.empty()) {
            if (t.m_special_weights.size() != t.m_special.size()) {
                fail("/special_weights",
                     "expected " + std::to_string(t.m_special.size()) +
                         " weights (one per special value), got " +
                         std::to_string(t.m_special_weights.size()));
            }
            if (!t.m_range_weight) {
                fail("/special_weights", "'special_weights' needs 'range_weight' too");
            }
        } else if (t.m_range_weight) {
            fail("/range_weight", "'range_weight' needs 'special_weights' too");
        }
    }

    try {
        t.m_default = t.coerce(def.at("default"));
    } catch (const ConfigError& e) {
        fail("/default", e.message());
    }
    t.m_value = t.m_default;
    return t;
}

TunableValue Tunable::coerce(const Json& value) const
{
    switch (m_type) {
    case TunableType::categorical:
        if (value.is_object() || value.is_array() || value.is_null()) {
            throw ConfigError("expected a string, number or boolean for '" + m_name + "', got " +
                              json_type_name(value));
        }
        return coerce(TunableValue(json_scalar_text(value)));
    case TunableType::integer:
        if (value.is_number_integer()) {
            return coerce(TunableValue(value.get<std::int64_t>()));
        }
        if (value.is_number_float()) {
            return coerce(TunableValue(value.get<double>()));
        }
        if (value.is_string()) {
            return coerce(TunableValue(value.get<std::string>()));
        }
        break;
    case TunableType::floating:
        if (value.is_number()) {
            return coerce(TunableValue(value.get<double>()));
        }
        if (value.is_string()) {
            return coerce(TunableValue(value.get<std::string>()));
        }
        break;
    }
    throw ConfigError("expected a number for '" + m_name + "', got " + json_type_name(value));
}

TunableValue Tunable::coerce(const TunableValue& value) const
{
    TunableValue out;
    switch (m_type) {
    case TunableType::categorical:
        out = to_text(value);
        break;
    case TunableType::integer: {
        double number = 0;
        if (const auto* i = std::get_if<std::int64_t>(&value)) {
            out = *i;
            break;
        }
        if (const auto* d = std::get_if<double>(&value)) {
            number = *d;
        } else {
            const auto parsed = parse_number(std::get<std::string>(value));
            if (!parsed) {
                throw ConfigError("expected an integer for '" + m_name + "', got '" +
                                  std::get<std::string>(value) + "'");
            }
            number = *parsed;
        }
        if (std::trunc(number) != number || !std::isfinite(number)) {
            throw ConfigError("loss of precision: '" + m_name + "' is an int tunable, got " +
                              format_float(number));
        }
        out = static_cast<std::int64_t>(number);
        break;
    }
    case TunableType::floating:
        if (const auto* i = std::get_if<std::int64_t>(&value)) {
            out = static_cast<double>(*i);
        } else if (const auto* d = std::get_if<double>(&value)) {
            out = *d;
        } else {
            const auto parsed = parse_number(std::get<std::string>(value));
            if (!parsed) {
                throw ConfigError("expected a number for '" + m_name + "', got '" +
                                  std::get<std::string>(value) + "'");
            }
            out = *parsed;
        }
        break;
    }
    if (!is_valid(out)) {
        std::string domain;
        if (m_type == TunableType::categorical) {
            for (const auto& v : m_values) {
                domain += (domain.empty() ? "" : ", ") + ("'" + v + "'");
            }
            domain = "one of " + domain;
        } else {
            domain = "in [" + to_text(m_type == TunableType::integer
                                          ? TunableValue(static_cast<std::int64_t>(m_lower))
                                          : TunableValue(m_lower)) +
                     ", " +
                     to_text(m_type == TunableType::integer
                                 ? TunableValue(static_cast<std::int64_t>(m_upper))
                                 : TunableValue(m_upper)) +
                     "]";
            if (!m_special.empty()) {
                std::string specials;
                for (const auto& s : m_special) {
                    specials += (specials.empty() ? "" : ", ") + to_text(s);
                }
                domain += " or a special value (" + specials + ")";
            }
        }
        throw ConfigError("value " + to_text(out) + " of '" + m_name + "' is not " + domain);
    }
    return out;
}

bool Tunable::is_special(const TunableValue& value) const
{
    return std::find(m_special.begin(), m_special.end(), value) != m_special.end();
}

bool Tunable::is_valid(const TunableValue& value) const
{
    switch (m_type) {
    case TunableType::categorical: {
        const auto* s = std::get_if<std::string>(&value);
        return s != nullptr && std::find(m_values.begin(), m_values.end(), *s) != m_values.end();
    }
    case TunableType::integer: {
        const auto* i = std::get_if<std::int64_t>(&value);
        if (i == nullptr) {
            return false;
        }
        const auto v = static_cast<double>(*i);
        return (m_lower <= v && v <= m_upper) || is_special(value);
    }
    case TunableType::floating: {
        const auto* d = std::get_if<double>(&value);
        return d != nullptr && ((m_lower <= *d && *d <= m_upper) || is_special(value));
    }
    }
    return false;
}

void Tunable::set_value(const TunableValue& value) { m_value = coerce(value); }

void Tunable::set_value_json(const Json& value) { m_value = coerce(value); }

std::optional<std::uint64_t> Tunable::cardinality() const
{
    if (m_type == TunableType::categorical) {
        return m_values.size();
    }
    if (m_quantization_bins) {
        return static_cast<std::uint64_t>(*m_quantization_bins);
    }
    if (m_type == TunableType::integer) {
        // The widest int64 range has 2^64 values, one more than a uint64 holds.
        const double width = m_upper - m_lower;
        return width >= 18446744073709551615.0 ? std::numeric_limits<std::uint64_t>::max()
                                               : static_cast<std::uint64_t>(width) + 1;
    }
    return std::nullopt;
}

std::vector<TunableValue> Tunable::quantized_points() const
{
    std::vector<TunableValue> points;
    if (m_type == TunableType::floating) {
        const int bins = m_quantization_bins.value_or(0);
        for (int i = 0; i < bins; ++i) {
            points.emplace_back(i == bins - 1 ? m_upper
                                              : m_lower + (m_upper - m_lower) * i / (bins - 1));
        }
    } else if (m_type == TunableType::integer) {
        const auto lower = static_cast<std::int64_t>(m_lower);
        const auto upper = static_cast<std::int64_t>(m_upper);
        std::int64_t step = 1;
        if (m_quantization_bins) {
            step = std::max<std::int64_t>(1, (upper - lower) / (*m_quantization_bins - 1));
        }
        for (std::int64_t v = lower; v <= upper; v += step) {
            points.emplace_back(v);
        }
    }
    return points;
}

std::vector<TunableValue> Tunable::grid_values() const
{
    if (m_type == TunableType::categorical) {
        return {m_values.begin(), m_values.end()};
    }
    if (m_type == TunableType::floating && !m_quantization_bins) {
        throw Error("tunable '" + m_name +
                    "' is a float without quantization_bins: its grid is infinite");
    }
    std::vector<TunableValue> out = m_special;
    for (auto& p : quantized_points()) {
        if (!is_special(p)) {
            out.push_back(std::move(p));
        }
    }
    return out;
}

TunableValue Tunable::sample(std::mt19937_64& rng) const
{
    if (m_type == TunableType::categorical) {
        if (!m_values_weights.empty()) {
            return m_values[pick_weighted(m_values_weights, rng)];
        }
        std::uniform_int_distribution<std::size_t> pick(0, m_values.size() - 1);
        return m_values[pick(rng)];
    }
    if (!m_special.empty()) {
        std::vector<double> switch_weights = {0.5, 0.5};
        if (!m_special_weights.empty() && m_range_weight) {
            switch_weights = {std::accumulate(m_special_weights.begin(), m_special_weights.end(),
                                              0.0),
                              *m_range_weight};
        }
        if (pick_weighted(switch_weights, rng) == 0) {
            if (!m_special_weights.empty()) {
                return m_special[pick_weighted(m_special_weights, rng)];
            }
            std::uniform_int_distribution<std::size_t> pick(0, m_special.size() - 1);
            return m_special[pick(rng)];
        }
    }
    // A point of the unit interval, mapped onto the range (log scale if asked).
    double unit = 0;
    const Distribution dist = m_distribution.value_or(Distribution{});
    if (dist.kind == Distribution::Kind::normal) {
        // mu and sigma are in the units of the range; truncated to the range.
        std::normal_distribution<double> normal(dist.first, dist.second);
        double v = normal(rng);
        for (int attempt = 0; attempt < 100 && (v < m_lower || v > m_upper); ++attempt) {
            v = normal(rng);
        }
        unit = std::clamp((v - m_lower) / (m_upper - m_lower), 0.0, 1.0);
    } else if (dist.kind == Distribution::Kind::beta) {
        std::gamma_distribution<double> ga(dist.first, 1.0);
        std::gamma_distribution<double> gb(dist.second, 1.0);
        const double a = ga(rng);
        const double b = gb(rng);
        unit = a + b > 0 ? a / (a + b) : 0.5;
    } else {
        unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    }
    // An int owns [v - 0.5, v + 0.5], so that rounding gives every value the same chance
    // (the ends of the range included), as randint does.
    const double pad = m_type == TunableType::integer && !m_quantization_bins &&
                               dist.kind != Distribution::Kind::normal
                           ? 0.5
                           : 0.0;
    const double lower = m_lower - pad;
    const double upper = m_upper + pad;
    double v = 0;
    if (m_log && lower > 0) {
        v = std::exp(std::log(lower) + unit * (std::log(upper) - std::log(lower)));
    } else {
        v = lower + unit * (upper - lower);
    }
    v = std::clamp(v, m_lower, m_upper);
    if (m_quantization_bins) {
        // The nearest of quantized_points(), found from its index rather than by listing them
        // all for every sample (the lower one on a tie, as a scan in order finds it).
        const int bins = *m_quantization_bins;
        if (m_type == TunableType::floating) {
            const auto point = [&](std::int64_t i) {
                return i == bins - 1
                           ? m_upper
                           : m_lower + (m_upper - m_lower) * static_cast<double>(i) / (bins - 1);
            };
            const auto i =
                std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(
                                             (v - m_lower) / (m_upper - m_lower) * (bins - 1))),
                                         0, bins - 1);
            std::int64_t best = i;
            for (std::int64_t k : {i - 1, i + 1}) {
                if (k >= 0 && k < bins &&
                    (std::fabs(point(k) - v) < std::fabs(point(best) - v) ||
                     (std::fabs(point(k) - v) == std::fabs(point(best) - v) && k < best))) {
                    best = k;
                }
            }
            return point(best);
        }
        const auto first = static_cast<std::int64_t>(m_lower);
        const auto width = static_cast<std::int64_t>(m_upper) - first;
        const std::int64_t step = std::max<std::int64_t>(1, width / (bins - 1));
        const std::int64_t last = width / step; // index of the highest point
        const auto i = std::clamp<std::int64_t>(
            static_cast<std::int64_t>(std::floor((v - m_lower) / static_cast<double>(step))), 0,
            last);
        const auto distance = [&](std::int64_t k) {
            return std::fabs(static_cast<double>(first + k * step) - v);
        };
        const std::int64_t best = i < last && distance(i + 1) < distance(i) ? i + 1 : i;
        return first + best * step;
    }
    if (m_type == TunableType::integer) {
        return static_cast<std::int64_t>(
            std::clamp(std::floor(v + 0.5), m_lower, m_upper)); // round half up, in range
    }
    return v;
}

Json Tunable::definition_json() const
{
    Json def = Json::object();
    def["type"] = std::string(type_name(m_type));
    if (m_type == TunableType::categorical) {
        def["values"] = m_values;
    } else if (m_type == TunableType::integer) {
        def["range"] = {static_cast<std::int64_t>(m_lower), static_cast<std::int64_t>(m_upper)};
    } else {
        def["range"] = {m_lower, m_upper};
    }
    def["default"] = to_json(m_default);
    if (!m_special.empty()) {
        def["special"] = Json::array();
        for (const auto& s : m_special) {
            def["special"].push_back(to_json(s));
        }
    }
    if (m_quantization_bins) {
        def["quantization_bins"] = *m_quantization_bins;
    }
    if (m_log) {
        def["log"] = true;
    }
    return def;
}

} // namespace mlosbench
