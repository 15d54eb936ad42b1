#include "stored_values.hpp"

#include "mlosbench/util/error.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace mlosbench::detail {
namespace {

// Seconds since the epoch of "YYYY-MM-DD HH:MM:SS[.ffffff]" read field by field, the seconds
// with their fraction as one double: durations keep the exact values they have always had.
std::optional<double> epoch_seconds(const std::string& text)
{
    std::tm tm{};
    double seconds = 0;
    if (std::sscanf(text.c_str(), "%d-%d-%d%*c%d:%d:%lf", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &seconds) != 6) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<double>(timegm(&tm)) + seconds;
}

} // namespace

Micros to_micros(Timestamp time)
{
    return std::chrono::floor<std::chrono::microseconds>(time.time_since_epoch()).count();
}

Timestamp from_micros(Micros micros)
{
    return Timestamp(
        std::chrono::duration_cast<Timestamp::duration>(std::chrono::microseconds(micros)));
}

Timestamp truncate_to_micros(Timestamp time) { return from_micros(to_micros(time)); }

Timestamp parse_stored_time(const std::string& text)
{
    const auto time = parse_timestamp(text);
    if (!time) {
        throw Error("unreadable timestamp '" + text + "' in the storage");
    }
    return *time;
}

std::string stored_time_iso8601(std::string stored)
{
    // Ours are "YYYY-MM-DD HH:MM:SS.ffffff": swapping the separator and adding 'Z' is enough.
    if (stored.size() == 26 && stored[10] == ' ' && stored[19] == '.') {
        stored[10] = 'T';
        stored += 'Z';
        return stored;
    }
    const auto ts = parse_timestamp(stored);
    return ts ? format_iso8601(*ts) : stored;
}

std::optional<double> stored_duration_seconds(const std::optional<std::string>& start,
                                              const std::optional<std::string>& end)
{
    if (!start || !end) {
        return std::nullopt;
    }
    const auto s = epoch_seconds(*start);
    const auto e = epoch_seconds(*end);
    if (!s || !e) {
        return std::nullopt;
    }
    return *e - *s;
}

Status parse_stored_status(const std::string& text)
{
    return parse_status(text).value_or(Status::unknown);
}

std::string stored_status_text(Status status) { return std::string(status_name(status)); }

bool is_final(Status status)
{
    return status == Status::succeeded || status == Status::failed || status == Status::timed_out;
}

std::optional<std::string> encode_value(const Json& value)
{
    if (value.is_null()) {
        return std::nullopt;
    }
    return json_to_text(value);
}

Json decode_typed_value(const std::string& text)
{
    if (text == "true" || text == "True") {
        return true;
    }
    if (text == "false" || text == "False") {
        return false;
    }
    if (!text.empty() && (text.front() == '[' || text.front() == '{')) {
        Json parsed = Json::parse(text, nullptr, false);
        if (!parsed.is_discarded()) {
            return parsed;
        }
    }
    return parse_scalar_text(text);
}

Json decode_display_value(const std::string& text) { return parse_scalar_text(text); }

TunableValue decode_tunable_value(const std::string& text, std::optional<TunableType> type)
{
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (type == TunableType::categorical) {
        return text;
    }
    if (type == TunableType::integer) {
        std::int64_t number = 0;
        auto [ptr, ec] = std::from_chars(begin, end, number);
        if (ec == std::errc() && ptr == end) {
            return number;
        }
        double real = 0;
        auto [rptr, rec] = std::from_chars(begin, end, real);
        if (rec == std::errc() && rptr == end && std::trunc(real) == real) {
            return static_cast<std::int64_t>(real);
        }
    } else if (type == TunableType::floating) {
        double real = 0;
        auto [ptr, ec] = std::from_chars(begin, end, real);
        if (ec == std::errc() && ptr == end) {
            return real;
        }
    }
    const Json guess = parse_scalar_text(text);
    if (guess.is_number_integer()) {
        return guess.get<std::int64_t>();
    }
    if (guess.is_number()) {
        return guess.get<double>();
    }
    return text;
}

} // namespace mlosbench::detail
