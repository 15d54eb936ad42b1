#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mlosbench {

/// A point in time, UTC, microsecond precision where it is stored.
using Timestamp = std::chrono::system_clock::time_point;

[[nodiscard]] inline Timestamp now() { return std::chrono::system_clock::now(); }

/// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, as SQLAlchemy writes timestamps.
[[nodiscard]] std::string format_timestamp(Timestamp time);
/// ISO 8601 "YYYY-MM-DDTHH:MM:SS.ffffffZ" for people and JSON output.
[[nodiscard]] std::string format_iso8601(Timestamp time);
/// `text` (a time in any form parse_timestamp() reads, such as the storage's) as ISO 8601
/// UTC, the one form every command prints times in; `text` unchanged when it does not parse.
[[nodiscard]] std::string iso8601_text(std::string_view text);
/// A duration for people, the same in every command: "1.204 s" (milliseconds shown).
[[nodiscard]] std::string format_seconds(double seconds);
/// The times parse_timestamp accepts, for messages.
inline constexpr const char* k_timestamp_range = "1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z";

/// Parses both forms above and their variations: 'T' or ' ' between date and time, optional
/// fraction, optional 'Z' or +HH:MM / -HH:MM offset, date alone. A time without an offset is
/// UTC unless `naive_is_local`, when it is local time. nullopt if it does not parse, names a
/// day that does not exist (Feb 30), has an offset beyond 23:59, or falls outside
/// k_timestamp_range (a Timestamp cannot hold it).
[[nodiscard]] std::optional<Timestamp> parse_timestamp(std::string_view text,
                                                       bool naive_is_local = false);

} // namespace mlosbench
