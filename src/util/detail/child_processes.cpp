#include "util/detail/child_processes.hpp"

#include "mlosbench/util/file.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace mlosbench::detail {
namespace {

void append_pids(std::string_view text, std::vector<pid_t>& pids)
{
    pid_t value = 0;
    bool in_number = false;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + (c - '0');
            in_number = true;
        } else if (in_number) {
            pids.push_back(value);
            value = 0;
            in_number = false;
        }
    }
    if (in_number) {
        pids.push_back(value);
    }
}

} // namespace

// glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37), so call the kernel directly.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U)); }

timespec to_timespec(Clock::duration duration)
{
    duration = std::max(duration, Clock::duration::zero());
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(duration);
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(duration - secs);
    return timespec{static_cast<time_t>(secs.count()), static_cast<long>(nanos.count())};
}

Clock::duration to_duration(double seconds)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::mutex g_children_mutex;
std::set<pid_t> g_live_shells;

std::atomic<bool> g_kill_now{false};
static_assert(std::atomic<bool>::is_always_lock_free);

std::optional<std::string> read_proc_file(const std::string& path, std::size_t cap)
{
    try {
        return read_regular_file(path, cap, "process file");
    } catch (const FileError&) {
        return std::nullopt; // the process is gone, or it is not ours to read
    }
}

std::optional<ProcStat> read_stat(pid_t pid)
{
    const auto text = read_proc_file("/proc/" + std::to_string(pid) + "/stat", 4096);
    // "PID (NAME) STATE PPID PGRP ...", where NAME may hold anything, ')' included.
    const auto name_end = text ? text->rfind(')') : std::string::npos;
    if (name_end == std::string::npos || name_end + 2 >= text->size()) {
        return std::nullopt;
    }
    ProcStat stat;
    stat.state = (*text)[name_end + 2];
    std::vector<pid_t> numbers;
    append_pids(std::string_view(*text).substr(name_end + 3, 32), numbers);
    if (numbers.size() < 2) {
        return std::nullopt;
    }
    stat.parent = numbers[0];
    stat.group = numbers[1];
    return stat;
}

std::vector<pid_t> own_children()
{
    std::vector<pid_t> pids;
    bool listed = false;
    if (DIR* tasks = ::opendir("/proc/self/task")) {
        while (const dirent* entry = ::readdir(tasks)) {
            if (entry->d_name[0] == '.') {
                continue;
            }
            const std::string path = "/proc/self/task/" + std::string(entry->d_name) + "/children";
            if (const auto text = read_proc_file(path, std::size_t{1} << 20U)) {
                listed = true;
                append_pids(*text, pids);
            }
        }
        ::closedir(tasks);
    }
    if (listed) {
        return pids;
    }
    const pid_t self = ::getpid();
    if (DIR* all = ::opendir("/proc")) {
        while (const dirent* entry = ::readdir(all)) {
            if (entry->d_name[0] < '1' || entry->d_name[0] > '9') {
                continue;
            }
            const auto pid = static_cast<pid_t>(std::strtol(entry->d_name, nullptr, 10));
            if (const auto stat = read_stat(pid); stat && stat->parent == self) {
                pids.push_back(pid);
            }
        }
        ::closedir(all);
    }
    return pids;
}

bool has_ended(const ProcStat& stat) { return stat.state == 'Z' || stat.state == 'X'; }

void reap_ended_orphans_locked()
{
    for (const pid_t pid : own_children()) {
        if (g_live_shells.contains(pid)) {
            continue;
        }
        if (const auto stat = read_stat(pid); stat && has_ended(*stat)) {
            ::waitpid(pid, nullptr, WNOHANG);
        }
    }
}

bool group_is_empty(pid_t group) { return ::killpg(group, 0) != 0 && errno == ESRCH; }
} // namespace mlosbench::detail
