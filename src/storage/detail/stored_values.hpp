#pragma once

#include "mlosbench/config/status.hpp"
#include "mlosbench/tunables/tunable.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>

// How values, statuses and times are written to and read from a storage: the one codec that
// the recording side (SqliteExperiment) and the reading side (SqliteReader) share. It knows
// nothing of SQLite: a stored value is text, or nullopt for SQL NULL.
namespace mlosbench::detail {

/// Microseconds since the epoch: the precision times are stored with.
using Micros = std::int64_t;

[[nodiscard]] Micros to_micros(Timestamp time);
[[nodiscard]] Timestamp from_micros(Micros micros);
/// `time` cut to the microsecond, as it reads back from storage.
[[nodiscard]] Timestamp truncate_to_micros(Timestamp time);

/// A stored timestamp (format_timestamp's form, or any parse_timestamp accepts); throws
/// Error("unreadable timestamp '...' in the storage") when it does not parse.
[[nodiscard]] Timestamp parse_stored_time(const std::string& text);

/// A stored timestamp in ISO 8601 UTC ("YYYY-MM-DDTHH:MM:SS.ffffffZ"); text that does not
/// parse is returned as it is. Cheap for the canonical stored form (100,000s of rows).
[[nodiscard]] std::string stored_time_iso8601(std::string stored);

/// Seconds from the stored time `start` to `end` ("YYYY-MM-DD HH:MM:SS[.ffffff]", the
/// separator and anything after the seconds ignored), nullopt when either is missing or
/// does not have that shape. The `duration_s` of show and results_df.
[[nodiscard]] std::optional<double> stored_duration_seconds(const std::optional<std::string>& start,
                                                            const std::optional<std::string>& end);

/// A stored status name; Status::unknown for a name that is not one.
[[nodiscard]] Status parse_stored_status(const std::string& text);
/// The name a status is stored as ("SUCCEEDED").
[[nodiscard]] std::string stored_status_text(Status status);
/// SUCCEEDED, FAILED or TIMED_OUT: a trial in such a status is never changed again.
[[nodiscard]] bool is_final(Status status);

/// A value as stored: its text, as mlos_bench's str(value) writes it; null is NULL (nullopt).
[[nodiscard]] std::optional<std::string> encode_value(const Json& value);

/// A stored value read back for the run (metadata, results the optimizer sees, cumulative
/// telemetry): "true"/"True" and "false"/"False" as booleans, a JSON array or object text as
/// JSON, numbers as numbers, other text as a string.
[[nodiscard]] Json decode_typed_value(const std::string& text);

/// A stored value as the results commands show it (show, export, metrics, plot, report):
/// numbers as numbers (parse_scalar_text), everything else as the stored string. Booleans
/// and JSON texts stay strings there, as they always have in their output.
[[nodiscard]] Json decode_display_value(const std::string& text);

/// What a secret-named metadata value (is_secret_name) is shown as.
inline constexpr const char* k_masked_value = "******";

/// A tunable value from its stored text (config_param holds text only), typed by `type`
/// when known; without a type (or when the text does not fit it), numbers are guessed.
[[nodiscard]] TunableValue decode_tunable_value(const std::string& text,
                                                std::optional<TunableType> type);

} // namespace mlosbench::detail
