#include "mlosbench/util/process.hpp"

#include "mlosbench/util/error.hpp"

#include <spdlog/spdlog.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

extern char** environ; // NOLINT(readability-redundant-declaration): POSIX leaves it undeclared

namespace mlosbench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long output is still read after the shell has exited while something it started in the
// background holds our pipes; then that group is ended. The normal case never waits: the kernel
// closes the shell's descriptors before its exit is reported, so EOF is already there.
constexpr Clock::duration k_linger = 100ms;
// Without pidfds (Linux < 5.3) the shell's exit is found by asking this often.
constexpr Clock::duration k_fallback_tick = 10ms;
// How often a group whose shell is gone is checked for being empty while it is ended, and
// how often ProcessScope::end() looks again for what is left.
constexpr Clock::duration k_group_tick = 20ms;
// How long ProcessScope::end() waits for what it sent SIGKILL to.
constexpr Clock::duration k_kill_wait = 2s;
constexpr std::size_t k_read_chunk = std::size_t{64} * 1024;

std::string errno_text(int error) { return std::generic_category().message(error); }

// glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37), so call the kernel directly.
// Returns -1 where pidfds are missing (Linux < 5.3, some seccomp filters): see k_fallback_tick.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U)); }

// An owned file descriptor.
class Fd
{
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd& operator=(Fd&& other) noexcept
    {
        if (this != &other) {
            reset();
            m_fd = std::exchange(other.m_fd, -1);
        }
        return *this;
    }

    [[nodiscard]] int get() const { return m_fd; }
    [[nodiscard]] bool is_open() const { return m_fd >= 0; }
    void reset()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }

private:
    int m_fd = -1;
};

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

// Keeps the last `cap` bytes of a stream. Trimming happens when the buffer reaches twice the
// cap, so each byte is moved at most once on average.
class TailBuffer
{
public:
    explicit TailBuffer(std::size_t cap) : m_cap(cap) {}

    void append(const char* data, std::size_t size)
    {
        m_total += size;
        if (size >= m_cap) {
            m_data.assign(data + (size - m_cap), m_cap);
            return;
        }
        m_data.append(data, size);
        if (m_data.size() >= 2 * m_cap) {
            m_data.erase(0, m_data.size() - m_cap);
        }
    }

    [[nodiscard]] bool truncated() const { return m_total > m_cap; }

    std::string take()
    {
        if (m_data.size() > m_cap) {
            m_data.erase(0, m_data.size() - m_cap);
        }
        return std::move(m_data);
    }

private:
    std::size_t m_cap;
    std::size_t m_total = 0;
    std::string m_data;
};

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

// One read per readiness, so it never blocks; EOF or an error closes our end.
void drain(Fd& fd, TailBuffer& tail)
{
    std::array<char, k_read_chunk> buffer; // NOLINT(cppcoreguidelines-pro-type-member-init)
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got > 0) {
        tail.append(buffer.data(), static_cast<std::size_t>(got));
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

// The shells run_process() has spawned and not yet reaped: every other child of ours is an
// orphan that came to us as the subreaper. Spawning, reaping and looking for orphans happen
// under this lock, so that a shell is never taken for an orphan.
std::mutex g_children_mutex;
std::set<pid_t> g_live_shells;

// Set by kill_running_processes(): ProcessScope::end() kills at once.
std::atomic<bool> g_kill_now{false};
static_assert(std::atomic<bool>::is_always_lock_free);

// A small file of /proc, whole; nullopt when it cannot be read (the process is gone).
std::optional<std::string> read_proc_file(const std::string& path, std::size_t cap)
{
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.is_open()) {
        return std::nullopt;
    }
    std::string text;
    std::array<char, 4096> buffer; // NOLINT(cppcoreguidelines-pro-type-member-init)
    while (text.size() < cap) {
        const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return std::nullopt;
        }
        if (got == 0) {
            break;
        }
        text.append(buffer.data(), static_cast<std::size_t>(got));
    }
    return text;
}

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

// What /proc/PID/stat says of a process: its state letter, parent and process group.
struct ProcStat
{
    char state = '?';
    pid_t parent = 0;
    pid_t group = 0;
};

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

// Our children: the `children` file of each of our threads, or, where the kernel has none
// (CONFIG_PROC_CHILDREN off), every process whose parent we are.
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

// Reaps the children of ours that ended and are no shell of run_process(): orphans we
// inherited as the subreaper. Call with g_children_mutex held.
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

// Whether process group `group` has no member left (after reap_ended_orphans_locked(), a
// zombie member is gone too).
bool group_is_empty(pid_t group) { return ::killpg(group, 0) != 0 && errno == ESRCH; }

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

namespace {

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
            spdlog::debug("cannot become the subreaper of our children: {}", errno_text(errno));
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

ProcessResult run_process(const ProcessOptions& options)
{
    std::string shown = options.command;
    if (!options.argv.empty()) {
        shown.clear();
        for (const auto& arg : options.argv) {
            shown += (shown.empty() ? "" : " ") + arg;
        }
    }
    spdlog::debug("running `{}`{}{}", shown, options.cwd.empty() ? "" : " in ",
                  options.cwd.native());
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
    spdlog::debug("`{}` exited {} after {:.3f} s{}", shown, result.exit_code,
                  result.seconds,
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
