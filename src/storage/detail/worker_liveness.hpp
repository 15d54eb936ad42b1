#pragma once

#include "mlosbench/util/time.hpp"

#include <chrono>
#include <cstdint>
#include <string>

// When a worker of an experiment counts as alive: the one rule every backend applies, to the
// rows of its worker table.
namespace mlosbench::detail {

/// A worker row whose state is "running", as far as liveness goes.
struct RunningWorker
{
    std::int64_t worker_id = 0;
    std::string host;
    int pid = 0;
    Timestamp heartbeat{};
};

/// This machine's host name (gethostname; "localhost" when it has none).
[[nodiscard]] std::string this_host_name();

/// Whether process `pid` of this machine exists (EPERM: someone else's; a zombie counts until
/// it is reaped).
[[nodiscard]] bool process_alive(int pid);

/// A running worker is alive while its heartbeat is at most `lease` old at `now` (both on the
/// storage's clock) and, when it runs on `this_host`, its pid exists: a worker that died on
/// this machine loses its claims at once, one elsewhere when its lease lapses.
[[nodiscard]] bool is_live(const RunningWorker& worker,
                           Timestamp now,
                           std::chrono::milliseconds lease,
                           const std::string& this_host);

/// "process 123 on host-a", for messages.
[[nodiscard]] std::string describe_worker(const std::string& host, int pid);

} // namespace mlosbench::detail
