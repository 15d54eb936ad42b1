#pragma once

#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

namespace mlosbench {

/// Most quantization_bins a tunable may have (its points are listed for grids and models).
inline constexpr std::int64_t k_max_quantization_bins = 100'000;

/// A tunable's value: int, float, or a categorical's string.
using TunableValue = std::variant<std::int64_t, double, std::string>;

/// Values of several tunables by name (what an optimizer suggests for a trial).
using TunableValues = std::map<std::string, TunableValue>;

[[nodiscard]] Json to_json(const TunableValue& value);
/// "3", "0.25", "on": how values are written to storage and shell variables.
[[nodiscard]] std::string to_text(const TunableValue& value);

enum class TunableType
{
    integer,
    floating,
    categorical,
};

[[nodiscard]] std::string_view type_name(TunableType type); // "int", "float", "categorical"

/// Prior of a numeric tunable for sampling (its `distribution` key).
struct Distribution
{
    enum class Kind
    {
        uniform,
        normal,
        beta,
    };
    Kind kind = Kind::uniform;
    double first = 0;  ///< mu (normal) or alpha (beta)
    double second = 0; ///< sigma (normal) or beta (beta)
};

/// One tunable parameter: its definition and its current value.
class Tunable
{
public:
    /// Builds a tunable from its JSON definition; throws ConfigError (file, pointer) when a rule
    /// of the tunable schema is broken (range order, default outside the domain, weights
    /// lengths...).
    static Tunable from_json(const std::string& name, const Json& def, const std::string& file,
                             const std::string& pointer);

    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] TunableType type() const { return m_type; }
    [[nodiscard]] const TunableValue& default_value() const { return m_default; }
    [[nodiscard]] const TunableValue& value() const { return m_value; }
    [[nodiscard]] double lower() const { return m_lower; }
    [[nodiscard]] double upper() const { return m_upper; }
    [[nodiscard]] const std::vector<std::string>& values() const { return m_values; }
    [[nodiscard]] const std::vector<TunableValue>& special() const { return m_special; }
    [[nodiscard]] std::optional<int> quantization_bins() const { return m_quantization_bins; }
    [[nodiscard]] bool log_scale() const { return m_log; }
    [[nodiscard]] const std::optional<Distribution>& distribution() const { return m_distribution; }
    [[nodiscard]] const std::vector<double>& values_weights() const { return m_values_weights; }
    [[nodiscard]] const std::vector<double>& special_weights() const { return m_special_weights; }
    [[nodiscard]] std::optional<double> range_weight() const { return m_range_weight; }
    [[nodiscard]] const Json& meta() const { return m_meta; }
    [[nodiscard]] const std::string& description() const { return m_description; }

    /// `value` converted to this tunable's type (categorical: text; int: integral numbers or
    /// numeric text; float: numbers or numeric text). Throws ConfigError on a lossy or
    /// impossible conversion, or when the value is outside the domain.
    [[nodiscard]] TunableValue coerce(const Json& value) const;
    [[nodiscard]] TunableValue coerce(const TunableValue& value) const;
    /// In `values`, within `range`, or one of `special`.
    [[nodiscard]] bool is_valid(const TunableValue& value) const;
    [[nodiscard]] bool is_special(const TunableValue& value) const;

    /// Sets the current value (coerced and checked as above).
    void set_value(const TunableValue& value);
    void set_value_json(const Json& value);
    void reset() { m_value = m_default; }

    /// Number of distinct values, or nullopt for an unquantized float.
    [[nodiscard]] std::optional<std::uint64_t> cardinality() const;
    /// Every value of a finite domain in order (specials first), for grid search.
    /// Throws Error for an unquantized float.
    [[nodiscard]] std::vector<TunableValue> grid_values() const;
    /// For quantized tunables, the evenly spaced points of the range (both ends included).
    [[nodiscard]] std::vector<TunableValue> quantized_points() const;
    /// A value drawn from the domain: specials by their weights, the range by its
    /// distribution and log scale, quantization respected.
    [[nodiscard]] TunableValue sample(std::mt19937_64& rng) const;

    /// The definition, as it would appear in a config (for hashing and display).
    [[nodiscard]] Json definition_json() const;

private:
    std::string m_name;
    TunableType m_type = TunableType::integer;
    TunableValue m_default;
    TunableValue m_value;
    double m_lower = 0;
    double m_upper = 0;
    std::vector<std::string> m_values;
    std::vector<TunableValue> m_special;
    std::optional<int> m_quantization_bins;
    bool m_log = false;
    std::optional<Distribution> m_distribution;
    std::vector<double> m_values_weights;
    std::vector<double> m_special_weights;
    std::optional<double> m_range_weight;
    Json m_meta = Json::object();
    std::string m_description;
};

} // namespace mlosbench
