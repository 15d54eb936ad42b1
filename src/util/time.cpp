#include "mlosbench/util/time.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace mlosbench {
namespace {

std::string format(Timestamp time, char separator, const char* suffix)
{
    using namespace std::chrono;
    const auto micros = duration_cast<microseconds>(time.time_since_epoch()).count();
    std::int64_t seconds = micros / 1000000;
    std::int64_t fraction = micros % 1000000;
    if (fraction < 0) {
        fraction += 1000000;
        seconds -= 1;
    }
    const auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d%c%02d:%02d:%02d.%06lld%s",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, separator, tm.tm_hour, tm.tm_min,
                  tm.tm_sec, static_cast<long long>(fraction), suffix);
    return buffer;
}

bool read_int(std::string_view& text, std::size_t digits, int& out)
{
    if (text.size() < digits) {
        return false;
    }
    for (std::size_t i = 0; i < digits; ++i) {
        if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
            return false;
        }
    }
    std::from_chars(text.data(), text.data() + digits, out);
    text.remove_prefix(digits);
    return true;
}

int days_in_month(int year, int month)
{
    static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : k_days[month - 1];
}

// The range parse_timestamp accepts: 1970-01-01T00:00:00Z up to 2262-01-01T00:00:00Z.
constexpr std::time_t k_first_second = 0;
constexpr std::time_t k_end_second = 9'214'646'400;

bool expect(std::string_view& text, char c)
{
    if (text.empty() || text.front() != c) {
        return false;
    }
    text.remove_prefix(1);
    return true;
}

} // namespace

std::string format_timestamp(Timestamp time) { return format(time, ' ', ""); }

std::string format_iso8601(Timestamp time) { return format(time, 'T', "Z"); }

std::string iso8601_text(std::string_view text)
{
    const auto time = parse_timestamp(text);
    return time ? format_iso8601(*time) : std::string(text);
}

std::string format_seconds(double seconds)
{
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
    return buffer;
}

std::optional<Timestamp> parse_timestamp(std::string_view text, bool naive_is_local)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    std::tm tm{};
    int year = 0;
    int month = 0;
    int day = 0;
    if (!read_int(text, 4, year) || !expect(text, '-') || !read_int(text, 2, month) ||
        !expect(text, '-') || !read_int(text, 2, day)) {
        return std::nullopt;
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    std::int64_t micros = 0;
    if (!text.empty() && (text.front() == 'T' || text.front() == ' ')) {
        text.remove_prefix(1);
        if (!read_int(text, 2, hour) || !expect(text, ':') || !read_int(text, 2, minute)) {
            return std::nullopt;
        }
        if (!text.empty() && text.front() == ':') {
            text.remove_prefix(1);
            if (!read_int(text, 2, second)) {
                return std::nullopt;
            }
        }
        if (!text.empty() && text.front() == '.') {
            text.remove_prefix(1);
            std::int64_t scale = 100000;
            bool any = false;
            while (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) != 0) {
                micros += (text.front() - '0') * scale;
                scale /= 10;
                text.remove_prefix(1);
                any = true;
            }
            if (!any) {
                return std::nullopt;
            }
        }
    }
    std::optional<int> offset_minutes;
    if (!text.empty() && (text.front() == 'Z' || text.front() == 'z')) {
        text.remove_prefix(1);
        offset_minutes = 0;
    } else if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        const int sign = text.front() == '+' ? 1 : -1;
        text.remove_prefix(1);
        int oh = 0;
        int om = 0;
        if (!read_int(text, 2, oh)) {
            return std::nullopt;
        }
        if (!text.empty() && text.front() == ':') {
            text.remove_prefix(1);
        }
        if (!text.empty() && !read_int(text, 2, om)) {
            return std::nullopt;
        }
        if (oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_minutes = sign * (oh * 60 + om);
    }
    if (!text.empty() || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    std::time_t seconds = 0;
    if (!offset_minutes && naive_is_local) {
        tm.tm_isdst = -1;
        seconds = std::mktime(&tm);
    } else {
        seconds = timegm(&tm) - static_cast<std::time_t>(offset_minutes.value_or(0)) * 60;
    }
    // A time_point of system_clock counts nanoseconds in 64 bits: it spans 1677-2262 only.
    if (seconds < k_first_second || seconds >= k_end_second) {
        return std::nullopt;
    }
    return Timestamp(std::chrono::seconds(seconds)) + std::chrono::microseconds(micros);
}

} // namespace mlosbench
