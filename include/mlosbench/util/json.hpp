#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mlosbench {

/// The JSON value type used everywhere: keys keep their order of appearance, as in the
/// config files (globals expansion runs in key order, printed parameters follow the file).
using Json = nlohmann::ordered_json;

/// `value` as JSON text (indented by `indent` spaces per level; -1: one line) that is always
/// valid JSON: bytes of a string that are not UTF-8 (as text read from storage or a trial's
/// output may hold) become U+FFFD instead of failing.
[[nodiscard]] std::string json_dump(const Json& value, int indent = -1);

/// Sets every member of the object `from` in the object `into`: a member `into` has takes the
/// new value in its place, a new one is appended. Linear in both sizes (`into[key] = v` looks
/// keys up one by one, which costs n^2 for n members).
void merge_object(Json& into, const Json& from);

/// Appends `key` to the object `into` without looking for it: the caller knows it is new.
inline void append_new_member(Json& into, std::string key, Json value)
{
    into.get_ref<Json::object_t&>().emplace_back(std::move(key), std::move(value));
}

/// "string", "integer", "number", "boolean", "null", "array" or "object".
[[nodiscard]] std::string json_type_name(const Json& value);

/// A scalar as a shell or template would see it: strings unquoted, numbers in their shortest
/// form, booleans as "true"/"false", null as "". Arrays and objects are dumped as JSON.
[[nodiscard]] std::string json_to_text(const Json& value);

/// A number as mlosbench prints it for people, the same in every command (show, metrics,
/// report, plot labels, the run's summary, progress and log lines): a whole number below 2^53
/// without a fraction ("60", "-3"), any other the shortest text that reads back to the same
/// double, as JSON output writes it ("0.1", "1e-05", "2.5e+20"); "nan", "inf", "-inf".
[[nodiscard]] std::string format_number(double value);

/// A scalar as format_number() and json_to_text() print it for people: numbers by
/// format_number(), strings unquoted, null as "".
[[nodiscard]] std::string display_text(const Json& value);

/// Parses a value the way mlos_bench parses `--key value` pairs: an integer when it is a
/// number equal to its integer part, else a float, else the string itself.
[[nodiscard]] Json parse_scalar_text(const std::string& text);

/// Longest duration a timeout or interval setting may have: 365 days. Longer ones would not
/// fit the clocks that wait for them.
inline constexpr double k_max_seconds = 31'536'000;

/// Checks `object[key]`, when present, as a duration in seconds: a number above `minimum`
/// (above 0 when `minimum` is 0) and at most k_max_seconds; null too when `nullable`.
/// Throws ConfigError naming `file` and `pointer`/key otherwise.
void check_seconds(const Json& object,
                   const std::string& key,
                   const std::string& file,
                   const std::string& pointer,
                   double minimum = 0,
                   bool nullable = false);

/// The string at `key` of `object`, or nullopt when there is none or it is not a string.
[[nodiscard]] std::optional<std::string> optional_string(const Json& object, const char* key);
/// `text` as a JSON string, or null when there is none.
[[nodiscard]] Json text_or_null(const std::optional<std::string>& text);
/// The number at `key` of `object`, or nullopt when there is none or it is not a number.
[[nodiscard]] std::optional<double> optional_number(const Json& object, const char* key);

/// A key escaped for use in a JSON pointer (RFC 6901: "~" -> "~0", "/" -> "~1").
[[nodiscard]] std::string escape_pointer_token(std::string_view token);

} // namespace mlosbench
