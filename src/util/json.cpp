#include "mlosbench/util/json.hpp"

#include "mlosbench/util/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

namespace mlosbench {

void merge_object(Json& into, const Json& from)
{
    if (into.empty()) {
        into = from;
        return;
    }
    auto& members = into.get_ref<Json::object_t&>();
    members.reserve(members.size() + from.size()); // no reallocation: the views below stay
    std::unordered_map<std::string_view, std::size_t> where;
    where.reserve(members.size() + from.size());
    for (std::size_t i = 0; i < members.size(); ++i) {
        where.emplace((members.begin() + static_cast<std::ptrdiff_t>(i))->first, i);
    }
    for (const auto& [key, value] : from.items()) {
        const auto it = where.find(key);
        if (it != where.end()) {
            (members.begin() + static_cast<std::ptrdiff_t>(it->second))->second = value;
        } else {
            members.emplace_back(key, value);
            where.emplace(members.back().first, members.size() - 1);
        }
    }
}

std::string json_dump(const Json& value, int indent)
{
    return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string json_type_name(const Json& value)
{
    switch (value.type()) {
    case Json::value_t::string:
        return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
        return "integer";
    case Json::value_t::number_float:
        return "number";
    case Json::value_t::boolean:
        return "boolean";
    case Json::value_t::null:
        return "null";
    case Json::value_t::array:
        return "array";
    case Json::value_t::object:
        return "object";
    default:
        return "value";
    }
}

std::string json_to_text(const Json& value)
{
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_null()) {
        return "";
    }
    return json_dump(value);
}

std::string format_number(double value)
{
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    // 2^53: every whole number below it is exact, and prints as one.
    constexpr double k_exact = 9007199254740992.0;
    if (std::trunc(value) == value && std::fabs(value) < k_exact) {
        return std::to_string(static_cast<std::int64_t>(value));
    }
    return json_dump(Json(value));
}

std::string display_text(const Json& value)
{
    if (value.is_number_float()) {
        return format_number(value.get<double>());
    }
    return json_to_text(value);
}

Json parse_scalar_text(const std::string& text)
{
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    long long as_int = 0;
    auto [iptr, iec] = std::from_chars(begin, end, as_int);
    if (iec == std::errc() && iptr == end) {
        return Json(static_cast<std::int64_t>(as_int));
    }
    double as_double = 0;
    auto [dptr, dec] = std::from_chars(begin, end, as_double);
    if (dec == std::errc() && dptr == end && std::isfinite(as_double)) {
        if (std::trunc(as_double) == as_double &&
            std::fabs(as_double) < static_cast<double>(std::numeric_limits<std::int64_t>::max())) {
            return Json(static_cast<std::int64_t>(as_double));
        }
        return Json(as_double);
    }
    return Json(text);
}

std::string escape_pointer_token(std::string_view token)
{
    std::string out;
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

void check_seconds(const Json& object,
                   const std::string& key,
                   const std::string& file,
                   const std::string& pointer,
                   double minimum,
                   bool nullable)
{
    if (!object.is_object() || !object.contains(key)) {
        return;
    }
    const Json& v = object.at(key);
    if (nullable && v.is_null()) {
        return;
    }
    const double value = v.is_number() ? v.get<double>() : std::nan("");
    const bool ok = minimum > 0 ? value >= minimum : value > 0;
    if (!ok || !(value <= k_max_seconds)) {
        throw ConfigError(file, pointer + "/" + escape_pointer_token(key),
                          std::string("expected a number of seconds ") +
                              (minimum > 0 ? "from " + json_to_text(Json(minimum)) : "above 0") +
                              " up to 31536000 (365 days)" + (nullable ? " or null" : "") +
                              ", got " + v.dump());
    }
}

Json text_or_null(const std::optional<std::string>& text)
{
    return text ? Json(*text) : Json(nullptr);
}

std::optional<std::string> optional_string(const Json& object, const char* key)
{
    if (object.contains(key) && object.at(key).is_string()) {
        return object.at(key).get<std::string>();
    }
    return std::nullopt;
}

std::optional<double> optional_number(const Json& object, const char* key)
{
    if (object.contains(key) && object.at(key).is_number()) {
        return object.at(key).get<double>();
    }
    return std::nullopt;
}

} // namespace mlosbench
