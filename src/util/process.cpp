#include "mlosbench/util/process.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/process_scope.hpp"
#include "mlosbench/util/tail_buffer.hpp"
#include "util/detail/child_processes.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

extern char** environ; // NOLINT(readability-redundant-declaration): POSIX leaves it undeclared

namespace mlosbench {

namespace {

using namespace detail;
using namespace std::chrono_literals;

// How long output is still read after the shell has exited while something it started in the
// background holds our pipes; then that group is ended. The normal case never waits: the kernel
// closes the shell's descriptors before its exit is reported, so EOF is already there.
constexpr Clock::duration k_linger = 100ms;
// Without pidfds (Linux < 5.3) the shell's exit is found by asking this often.
constexpr Clock::duration k_fallback_tick = 10ms;
constexpr std::size_t k_read_chunk = std::size_t{64} * 1024;

std::string errno_text(int error) { return std::generic_category().message(error); }


// Keeps a pipe end off 0-2, where the child's dup2 onto the same number would leave it
// close-on-exec (only happens when our own standard descriptors were closed at start-up).
void move_above_stdio(Fd& fd)
{
    if (fd.get() > STDERR_FILENO) {
        return;
    }
    const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) {
        throw Error("cannot create a pipe: " + errno_text(errno));
    }
    fd = Fd(moved);
}

struct Pipe
{
    Fd read;
    Fd write;
};

// Close-on-exec on both ends, so children spawned meanwhile by other threads never inherit them.
Pipe make_pipe()
{
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw Error("cannot create a pipe: " + errno_text(errno));
    }
    Pipe pipe{Fd(fds[0]), Fd(fds[1])};
    move_above_stdio(pipe.read);
    move_above_stdio(pipe.write);
    return pipe;
}

class SpawnFileActions
{
public:
    SpawnFileActions() { check(::posix_spawn_file_actions_init(&m_actions)); }
    ~SpawnFileActions() { ::posix_spawn_file_actions_destroy(&m_actions); }
    SpawnFileActions(const SpawnFileActions&) = delete;
    SpawnFileActions& operator=(const SpawnFileActions&) = delete;
    SpawnFileActions(SpawnFileActions&&) = delete;
    SpawnFileActions& operator=(SpawnFileActions&&) = delete;

    static void check(int error)
    {
        if (error != 0) {
            throw Error("cannot prepare to run a command: " + errno_text(error));
        }
    }
    [[nodiscard]] posix_spawn_file_actions_t* get() { return &m_actions; }

private:
    posix_spawn_file_actions_t m_actions{};
};

class SpawnAttributes
{
public:
    SpawnAttributes() { SpawnFileActions::check(::posix_spawnattr_init(&m_attributes)); }
    ~SpawnAttributes() { ::posix_spawnattr_destroy(&m_attributes); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    SpawnAttributes(SpawnAttributes&&) = delete;
    SpawnAttributes& operator=(SpawnAttributes&&) = delete;

    [[nodiscard]] posix_spawnattr_t* get() { return &m_attributes; }

private:
    posix_spawnattr_t m_attributes{};
};

// posix_spawn is vfork-like in glibc (clone with CLONE_VM|CLONE_VFORK): no page tables are
// copied however large we are, which keeps the per-line overhead close to a shell loop's.
// It returns after the child has exec'd, so the child is already in its own group.
pid_t spawn_shell(const ProcessOptions& options, int out_fd, int err_fd)
{
    SpawnFileActions actions;
    SpawnFileActions::check(
        ::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0));
    SpawnFileActions::check(
        ::posix_spawn_file_actions_adddup2(actions.get(), out_fd, STDOUT_FILENO));
    SpawnFileActions::check(
        ::posix_spawn_file_actions_adddup2(actions.get(), err_fd, STDERR_FILENO));
    if (!options.cwd.empty()) {
        SpawnFileActions::check(
            ::posix_spawn_file_actions_addchdir_np(actions.get(), options.cwd.c_str()));
    }
    // Descriptors other code opened without O_CLOEXEC (sockets, logs) stay ours.
    SpawnFileActions::check(
        ::posix_spawn_file_actions_addclosefrom_np(actions.get(), STDERR_FILENO + 1));

    SpawnAttributes attributes;
    // Our own group (pgid = pid) so that the whole tree can be signalled; no blocked signals
    // (a thread that blocks SIGTERM to sigwait for it must not hand that on); SIGTERM and
    // SIGPIPE back to default even if we ignore them, as Python's subprocess does for SIGPIPE.
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGXFSZ);
    sigaddset(&defaults, SIGTERM);
    SpawnFileActions::check(::posix_spawnattr_setpgroup(attributes.get(), 0));
    SpawnFileActions::check(::posix_spawnattr_setsigmask(attributes.get(), &empty));
    SpawnFileActions::check(::posix_spawnattr_setsigdefault(attributes.get(), &defaults));
    SpawnFileActions::check(::posix_spawnattr_setflags(
        attributes.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));

    // posix_spawn does not write through these; the C signature is older than const.
    std::vector<char*> argv;
    if (options.argv.empty()) {
        argv = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                const_cast<char*>(options.command.c_str())};
    } else {
        for (const auto& arg : options.argv) {
            argv.push_back(const_cast<char*>(arg.c_str()));
        }
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(options.env.size() + 2);
    const std::string scope_prefix = std::string(k_process_scope_variable) + "=";
    for (const auto& entry : options.env) {
        if (options.scope == nullptr || !entry.starts_with(scope_prefix)) {
            envp.push_back(const_cast<char*>(entry.c_str()));
        }
    }
    if (options.scope != nullptr) {
        envp.push_back(const_cast<char*>(options.scope->variable().c_str()));
    }
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int error =
        options.argv.empty()
            ? ::posix_spawn(&pid, "/bin/sh", actions.get(), attributes.get(), argv.data(),
                            envp.data())
            : ::posix_spawnp(&pid, argv[0], actions.get(), attributes.get(), argv.data(),
                             envp.data());
    if (error != 0) {
        std::string where = options.cwd.empty() ? "" : " in '" + options.cwd.string() + "'";
        throw Error("cannot run " + (options.argv.empty() ? "/bin/sh" : options.argv[0]) + where +
                    ": " + errno_text(error));
    }
    return pid;
}

int exit_code_of(int status)
{
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}



// One read per readiness, so it never blocks; EOF or an error closes our end.
void drain(Fd& fd, TailBuffer& tail)
{
    std::array<char, k_read_chunk> buffer; // NOLINT(cppcoreguidelines-pro-type-member-init)
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got > 0) {
        tail.append(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    } else if (got == 0 || errno != EINTR) {
        fd.reset();
    }
}

// The process groups being run now, for kill_running_processes() from a signal handler: a
// fixed table of lock-free atomics (0 = a free slot). A group beyond the table is not tracked
// and is ended by its own timeout or cancel only.
constexpr std::size_t k_tracked_groups = 1024;
std::array<std::atomic<pid_t>, k_tracked_groups> g_running_groups{};
static_assert(std::atomic<pid_t>::is_always_lock_free);


// Returns the slot taken, or k_tracked_groups.
std::size_t track_group(pid_t group)
{
    for (std::size_t i = 0; i < k_tracked_groups; ++i) {
        pid_t free = 0;
        if (g_running_groups[i].compare_exchange_strong(free, group)) {
            return i;
        }
    }
    return k_tracked_groups;
}

// One child from spawn to reaping. The child is reaped only at the very end: until then its
// zombie keeps its pid, and so the group id, from being reused, so killpg() can never reach
// an unrelated group (pid_max can be as low as 32768).
class Child
{
public:
    Child(const ProcessOptions& options, pid_t pid, Fd out, Fd err)
        : m_options(options), m_pid(pid), m_out(std::move(out)), m_err(std::move(err)),
          m_out_tail(options.output_cap), m_err_tail(options.output_cap), m_pidfd(open_pidfd(pid)),
          m_slot(track_group(pid))
    {
    }
    ~Child()
    {
        if (!m_reaped) {
            // Only on an exception: leave nothing behind.
            ::killpg(m_pid, SIGKILL);
            reap();
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    Child(Child&&) = delete;
    Child& operator=(Child&&) = delete;

    ProcessResult wait(Clock::time_point start);

private:
    enum class Stage {
        running,     // nothing sent yet
        terminating, // SIGTERM sent to the group, SIGKILL at m_kill_at
        killed,      // SIGKILL sent
    };

    void terminate(Clock::time_point now);
    void check_exited(bool block);
    /// After reap(): whether nothing is left in the group (ended orphans reaped first).
    [[nodiscard]] bool group_gone();
    [[nodiscard]] bool pipes_open() const { return m_out.is_open() || m_err.is_open(); }
    void reap();

    const ProcessOptions& m_options;
    pid_t m_pid;
    Fd m_out;
    Fd m_err;
    TailBuffer m_out_tail;
    TailBuffer m_err_tail;
    Fd m_pidfd;
    bool m_exited = false;
    bool m_reaped = false;
    int m_status = 0;
    bool m_timed_out = false;
    bool m_canceled = false;
    Stage m_stage = Stage::running;
    bool m_group_gone = false; ///< the group was found empty after reap()
    std::optional<Clock::time_point> m_linger_until;
    Clock::time_point m_kill_at;
    std::size_t m_slot; ///< in g_running_groups, until reaped
};

void Child::terminate(Clock::time_point now)
{
    ::killpg(m_pid, SIGTERM);
    m_stage = Stage::terminating;
    m_kill_at = now + to_duration(std::max(m_options.kill_grace_seconds, 0.0));
}

// Notes the shell's exit without reaping it (WNOWAIT), see above.
void Child::check_exited(bool block)
{
    siginfo_t info{};
    const int options = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
    while (::waitid(P_PID, static_cast<id_t>(m_pid), &info, options) != 0) {
        if (errno != EINTR) {
            throw Error("cannot wait for a child process: " + errno_text(errno));
        }
    }
    if (info.si_pid == m_pid) {
        m_exited = true;
    }
}

void Child::reap()
{
    if (m_reaped) {
        return;
    }
    // Untracked before the zombie goes, while the group id cannot be reused.
    if (m_slot < k_tracked_groups) {
        g_running_groups[m_slot].store(0);
        m_slot = k_tracked_groups;
    }
    const std::lock_guard lock(g_children_mutex);
    while (::waitpid(m_pid, &m_status, 0) < 0) {
        if (errno != EINTR) {
            m_status = -1; // not ours to wait for (SIGCHLD ignored?): exit code -1
            break;
        }
    }
    g_live_shells.erase(m_pid);
    m_reaped = true;
}

bool Child::group_gone()
{
    const std::lock_guard lock(g_children_mutex);
    reap_ended_orphans_locked();
    m_group_gone = group_is_empty(m_pid);
    return m_group_gone;
}

// One ppoll() over the pipes, the pidfd and the cancel fd, with the nearest deadline as its
// timeout: no sleeping and no ticking (except without pidfds). Done when the shell has exited
// and both pipes are closed, or, once SIGKILL went out, when the shell has exited and the pipes
// stayed open k_linger longer (a process that left our group with setsid() still holds them).
ProcessResult Child::wait(Clock::time_point start)
{
    std::optional<Clock::time_point> deadline;
    if (m_options.timeout_seconds) {
        deadline = start + to_duration(std::max(*m_options.timeout_seconds, 0.0));
    }
    bool watch_cancel = m_options.cancel.fd() >= 0;
    std::optional<Clock::time_point> give_up_at;

    while (!(m_exited && !pipes_open())) {
        const auto now = Clock::now();
        if (m_stage == Stage::running) {
            if (deadline && now >= *deadline) {
                m_timed_out = true;
                terminate(now);
            } else if (m_linger_until && now >= *m_linger_until) {
                // The shell is gone and something still holds our pipes. With the shell
                // reaped, an empty group means only processes that left it (setsid) hold
                // them: nothing of the line to end, no grace to wait.
                reap();
                if (group_gone()) {
                    break;
                }
                terminate(now);
            }
        } else if (m_reaped && group_gone()) {
            break; // what held the pipes in the group has ended
        }
        if (m_stage == Stage::terminating && now >= m_kill_at) {
            ::killpg(m_pid, SIGKILL);
            m_stage = Stage::killed;
        }
        if (m_stage == Stage::killed && m_exited) {
            if (!give_up_at) {
                give_up_at = now + k_linger;
            } else if (now >= *give_up_at) {
                break;
            }
        }

        std::optional<Clock::time_point> wake;
        const auto wake_at = [&wake](Clock::time_point when) {
            wake = wake ? std::min(*wake, when) : when;
        };
        if (m_stage == Stage::running) {
            if (deadline) {
                wake_at(*deadline);
            }
            if (m_linger_until) {
                wake_at(*m_linger_until);
            }
        }
        if (m_stage == Stage::terminating) {
            wake_at(m_kill_at);
        }
        if (m_reaped && m_stage != Stage::running) {
            wake_at(now + k_group_tick);
        }
        if (give_up_at) {
            wake_at(*give_up_at);
        }

        std::array<pollfd, 4> fds{};
        std::size_t count = 0;
        const auto add = [&fds, &count](int fd) {
            fds[count] = pollfd{fd, POLLIN, 0};
            return count++;
        };
        const std::size_t none = fds.size();
        const std::size_t out_index = m_out.is_open() ? add(m_out.get()) : none;
        const std::size_t err_index = m_err.is_open() ? add(m_err.get()) : none;
        const std::size_t pid_index = !m_exited && m_pidfd.is_open() ? add(m_pidfd.get()) : none;
        const std::size_t cancel_index =
            watch_cancel && m_stage == Stage::running ? add(m_options.cancel.fd()) : none;

        if (!m_exited && !m_pidfd.is_open()) {
            if (count == 0 && !wake) {
                check_exited(true); // nothing else can happen: block
                continue;
            }
            wake_at(now + k_fallback_tick);
        }

        timespec timeout{};
        if (wake) {
            timeout = to_timespec(*wake - now);
        }
        const int ready = ::ppoll(fds.data(), count, wake ? &timeout : nullptr, nullptr);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw Error("cannot wait for a child process: " + errno_text(errno));
        }
        if (out_index != none && fds[out_index].revents != 0) {
            drain(m_out, m_out_tail);
        }
        if (err_index != none && fds[err_index].revents != 0) {
            drain(m_err, m_err_tail);
        }
        const bool pidfd_ready = pid_index != none && fds[pid_index].revents != 0;
        if (pidfd_ready || (!m_pidfd.is_open() && !m_exited)) {
            check_exited(false);
        }
        if (cancel_index != none && fds[cancel_index].revents != 0) {
            if ((fds[cancel_index].revents & POLLNVAL) != 0) {
                watch_cancel = false; // not an open fd: nothing to watch
            } else {
                m_canceled = true;
                terminate(Clock::now());
            }
        }
        if (m_exited && pipes_open() && !m_linger_until) {
            m_linger_until = Clock::now() + k_linger;
        }
    }

    // After a timeout, a cancel or a lingering pipe holder, whatever of the group is still
    // there holds none of our pipes; it goes too, so that nothing outlives the line.
    if (m_stage == Stage::terminating && !m_group_gone) {
        ::killpg(m_pid, SIGKILL);
    }
    reap();

    ProcessResult result;
    result.exit_code = exit_code_of(m_status);
    result.timed_out = m_timed_out;
    result.canceled = m_canceled;
    result.out_truncated = m_out_tail.truncated();
    result.err_truncated = m_err_tail.truncated();
    result.out = m_out_tail.take();
    result.err = m_err_tail.take();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

} // namespace

void kill_running_processes() noexcept
{
    g_kill_now.store(true);
    for (auto& group : g_running_groups) {
        const pid_t pid = group.load();
        if (pid > 0) {
            ::killpg(pid, SIGKILL);
        }
    }
}

ProcessResult run_process(const ProcessOptions& options)
{
    std::string shown = options.command;
    if (!options.argv.empty()) {
        shown.clear();
        for (const auto& arg : options.argv) {
            shown += (shown.empty() ? "" : " ") + arg;
        }
    }
    const auto start = Clock::now();
    Pipe out = make_pipe();
    Pipe err = make_pipe();
    pid_t pid = -1;
    {
        const std::lock_guard lock(g_children_mutex);
        pid = spawn_shell(options, out.write.get(), err.write.get());
        g_live_shells.insert(pid);
    }
    // Our copies of the write ends must go, or we would never see EOF.
    out.write.reset();
    err.write.reset();

    Child child(options, pid, std::move(out.read), std::move(err.read));
    ProcessResult result = child.wait(start);
    // One line per command, when it ended: what ran, where, how it ended and how long it took.
    spdlog::debug("`{}`{}{} exited {} after {:.3f} s{}", shown, options.cwd.empty() ? "" : " in ",
                  options.cwd.native(), result.exit_code, result.seconds,
                  result.timed_out ? " (timed out)" : (result.canceled ? " (canceled)" : ""));
    return result;
}

std::vector<std::string> current_environment()
{
    std::vector<std::string> entries;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        entries.emplace_back(*entry);
    }
    return entries;
}

std::vector<std::string>
with_variables(std::vector<std::string> base,
               const std::vector<std::pair<std::string, std::string>>& vars)
{
    for (const auto& [name, value] : vars) {
        std::string entry;
        entry.reserve(name.size() + 1 + value.size());
        entry.append(name).append("=").append(value);
        bool found = false;
        for (auto& existing : base) {
            const auto equals = existing.find('=');
            if (std::string_view(existing).substr(0, equals) == name) {
                existing = entry;
                found = true;
            }
        }
        if (!found) {
            base.push_back(std::move(entry));
        }
    }
    return base;
}

} // namespace mlosbench
