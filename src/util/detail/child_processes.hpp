#pragma once

// What run_process() and ProcessScope share: our children and the lock over them, and small
// POSIX helpers.

#include "util/detail/fd.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench::detail {

using Clock = std::chrono::steady_clock;

/// How often a group whose shell is gone is checked for being empty while it is ended, and
/// how often ProcessScope::end() looks again for what is left.
inline constexpr Clock::duration k_group_tick = std::chrono::milliseconds(20);

/// A pidfd of `pid`, or -1 where pidfds are missing (Linux < 5.3, some seccomp filters).
[[nodiscard]] int open_pidfd(pid_t pid);

/// `duration` (0 if negative) as a timespec, for ppoll().
[[nodiscard]] timespec to_timespec(Clock::duration duration);
/// `seconds` as a Clock duration.
[[nodiscard]] Clock::duration to_duration(double seconds);

/// The shells run_process() has spawned and not yet reaped: every other child of ours is an
/// orphan that came to us as the subreaper. Spawning, reaping and looking for orphans happen
/// under g_children_mutex, so that a shell is never taken for an orphan.
extern std::mutex g_children_mutex;
extern std::set<pid_t> g_live_shells;

/// Set by kill_running_processes(): ProcessScope::end() kills at once.
extern std::atomic<bool> g_kill_now;

/// A file of /proc of at most `cap` bytes (read_regular_file); nullopt when it cannot be read
/// (the process is gone) or is larger.
[[nodiscard]] std::optional<std::string> read_proc_file(const std::string& path, std::size_t cap);

// What /proc/PID/stat says of a process: its state letter, parent and process group.
struct ProcStat
{
    char state = '?';
    pid_t parent = 0;
    pid_t group = 0;
};

/// What /proc/PID/stat says of `pid`; nullopt when it is gone.
[[nodiscard]] std::optional<ProcStat> read_stat(pid_t pid);

/// Our children: the `children` file of each of our threads, or, where the kernel has none
/// (CONFIG_PROC_CHILDREN off), every process whose parent we are.
[[nodiscard]] std::vector<pid_t> own_children();

/// A zombie (or on its way to be one).
[[nodiscard]] bool has_ended(const ProcStat& stat);

/// Reaps the children of ours that ended and are no shell of run_process(): orphans we
/// inherited as the subreaper. Call with g_children_mutex held.
void reap_ended_orphans_locked();

/// Whether process group `group` has no member left (after reap_ended_orphans_locked(), a
/// zombie member is gone too).
[[nodiscard]] bool group_is_empty(pid_t group);

} // namespace mlosbench::detail
