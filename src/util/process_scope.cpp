#include "mlosbench/util/process_scope.hpp"

#include "util/detail/child_processes.hpp"

#include <spdlog/spdlog.h>

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <system_error>

namespace mlosbench {

using namespace detail;

namespace {

// How long ProcessScope::end() waits for what it sent SIGKILL to.
constexpr Clock::duration k_kill_wait = std::chrono::seconds(2);

// A process of a scope, found by find_scope_processes().
struct ScopeProcess
{
    pid_t pid = 0;
    pid_t group = 0;
    bool group_is_ours = false; ///< the group is our own or a running shell's: not signalled
};

// Whether the environment of `pid` holds `variable` ("NAME=value") as one whole entry.
bool has_variable(pid_t pid, std::string_view variable)
{
    const auto environ_text =
        read_proc_file("/proc/" + std::to_string(pid) + "/environ", std::size_t{4} << 20U);
    if (!environ_text) {
        return false;
    }
    const std::string_view text = *environ_text;
    for (std::size_t at = text.find(variable); at != std::string_view::npos;
         at = text.find(variable, at + 1)) {
        const std::size_t end = at + variable.size();
        if ((at == 0 || text[at - 1] == '\0') && (end == text.size() || text[end] == '\0')) {
            return true;
        }
    }
    return false;
}

// Our children that carry `variable`, that is the orphans of a scope (its descendants whose
// parent has exited); ended orphans are reaped on the way.
std::vector<ScopeProcess> find_scope_processes(std::string_view variable)
{
    const std::lock_guard lock(g_children_mutex);
    std::vector<ScopeProcess> found;
    const pid_t own_group = ::getpgrp();
    for (const pid_t pid : own_children()) {
        if (g_live_shells.contains(pid)) {
            continue;
        }
        const auto stat = read_stat(pid);
        if (!stat) {
            continue;
        }
        if (has_ended(*stat)) {
            ::waitpid(pid, nullptr, WNOHANG);
            continue;
        }
        if (has_variable(pid, variable)) {
            found.push_back({pid, stat->group,
                             stat->group == own_group || g_live_shells.contains(stat->group)});
        }
    }
    return found;
}

// Waits until one of `processes` ends or `until` passes.
void wait_for_any(const std::vector<ScopeProcess>& processes, Clock::time_point until)
{
    std::vector<Fd> pidfds;
    std::vector<pollfd> fds;
    for (const auto& process : processes) {
        Fd fd(open_pidfd(process.pid));
        if (fd.is_open()) {
            fds.push_back(pollfd{fd.get(), POLLIN, 0});
            pidfds.push_back(std::move(fd));
        }
    }
    const timespec timeout = to_timespec(until - Clock::now());
    ::ppoll(fds.data(), fds.size(), &timeout, nullptr);
}

} // namespace

ProcessScope::ProcessScope()
{
    static std::once_flag subreaper;
    std::call_once(subreaper, [] {
        if (::prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) != 0) {
            spdlog::debug("cannot become the subreaper of our children: {}", std::generic_category().message(errno));
        }
    });
    static std::atomic<unsigned long> next{1};
    m_variable = std::string(k_process_scope_variable) + "=" + std::to_string(::getpid()) + "." +
                 std::to_string(next.fetch_add(1));
}

std::size_t ProcessScope::end(double grace_seconds) const noexcept
{
    try {
        std::set<pid_t> signalled;
        const auto kill_at = Clock::now() + to_duration(std::max(grace_seconds, 0.0));
        std::optional<Clock::time_point> give_up_at;
        while (true) {
            const std::vector<ScopeProcess> left = find_scope_processes(m_variable);
            if (left.empty()) {
                break;
            }
            const auto now = Clock::now();
            if (!give_up_at && (now >= kill_at || g_kill_now.load())) {
                give_up_at = now + k_kill_wait;
            }
            if (give_up_at && now >= *give_up_at) {
                spdlog::warn("{} process{} of a trial did not end after SIGKILL (pid {})",
                             left.size(), left.size() == 1 ? "" : "es", left.front().pid);
                break;
            }
            for (const auto& process : left) {
                // Its group as well: a background job's group is its line's, a daemon's
                // its own, and either holds what it started.
                const int signal = give_up_at ? SIGKILL : SIGTERM;
                const bool first = signalled.insert(process.pid).second;
                if (give_up_at || first) {
                    ::kill(process.pid, signal);
                    if (!process.group_is_ours) {
                        ::killpg(process.group, signal);
                    }
                }
            }
            wait_for_any(left, std::min(give_up_at ? *give_up_at : kill_at, now + k_group_tick));
        }
        return signalled.size();
    } catch (const std::exception& e) {
        spdlog::warn("cannot end what a trial left running: {}", e.what());
        return 0;
    }
}

} // namespace mlosbench
