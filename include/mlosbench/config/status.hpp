#pragma once

#include <optional>
#include <string_view>

namespace mlosbench {

/// A trial's or an environment's status, mlos_bench's values; stored in SQLite by name.
enum class Status
{
    unknown = 0,
    pending = 1,
    ready = 2,
    running = 3,
    succeeded = 4,
    canceled = 5,
    failed = 6,
    timed_out = 7,
};

/// "UNKNOWN", "PENDING", ..., "TIMED_OUT".
[[nodiscard]] std::string_view status_name(Status status);
/// A name (any case, trimmed) or a digit string; nullopt when neither.
[[nodiscard]] std::optional<Status> parse_status(std::string_view text);

/// PENDING, READY, RUNNING or SUCCEEDED.
[[nodiscard]] bool is_good(Status status);
/// SUCCEEDED, CANCELED, FAILED or TIMED_OUT.
[[nodiscard]] bool is_completed(Status status);

} // namespace mlosbench
