#pragma once

#include "mlosbench/util/cancel_token.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlosbench {

class ProcessScope;

/// Seconds between SIGTERM and SIGKILL when a process group is ended (a timeout, a cancel).
inline constexpr double k_kill_grace_seconds = 5.0;

/// What to run and how. The child runs `/bin/sh -c <command>` (or `argv`) in its own process
/// group, with stdin from /dev/null, stdout and stderr captured, and no file descriptor of
/// ours but 0-2.
struct ProcessOptions
{
    /// One line, run as `/bin/sh -c <command>` exactly as written (quoting kept).
    std::string command;
    /// When not empty, runs this program instead, without a shell: argv[0] is a path, or a
    /// name looked up on our PATH; `command` is ignored. For our own commands (git, gnuplot),
    /// so that no argument is ever read by a shell.
    std::vector<std::string> argv;
    /// Working directory; empty: the current directory.
    std::filesystem::path cwd;
    /// The complete environment, "NAME=value" entries (empty: an empty environment).
    /// Build it with current_environment() and with_variables().
    std::vector<std::string> env;
    /// Wall-time limit in seconds; when it passes the whole process group is ended (see below).
    std::optional<double> timeout_seconds;
    /// Bytes kept per stream: the tail (last bytes); ProcessResult says when some were cut.
    std::size_t output_cap = std::size_t{1} << 20U;
    /// When it is requested, the group is ended and the result says `canceled`.
    CancelToken cancel;
    /// Ending a group: SIGTERM first, SIGKILL after this many seconds if it is still running.
    double kill_grace_seconds = k_kill_grace_seconds;
    /// The scope whose end() ends what the command leaves running (process_scope.hpp);
    /// nullptr: none.
    const ProcessScope* scope = nullptr;
};

/// How a command ended. A command that fails is a result, not an exception.
struct ProcessResult
{
    /// The shell's exit status; 128+N when killed by signal N; 127 when /bin/sh cannot find
    /// the command (126 when it cannot execute it).
    int exit_code = -1;
    bool timed_out = false;     ///< timeout_seconds passed and the group was ended
    bool canceled = false;      ///< the cancel token was requested and the group was ended
    std::string out;            ///< stdout, at most output_cap bytes (the tail)
    std::string err;            ///< stderr, at most output_cap bytes (the tail)
    bool out_truncated = false; ///< stdout had more than output_cap bytes; the start was cut
    bool err_truncated = false; ///< stderr had more than output_cap bytes; the start was cut
    double seconds = 0.0;       ///< wall time from spawn to reaping, in seconds
};

/// Runs `options.command` and waits for it. Thread-safe (posix_spawn; no setenv or chdir here).
/// Returns when the shell has exited and its stdout and stderr are closed. If something it
/// started in the background keeps them open, the line is done anyway: after the shell exits
/// such output is read for 0.1 s more, then the group is ended (SIGTERM, grace, SIGKILL; at
/// once when only processes that left the group hold the pipes). Processes that closed or
/// redirected their output are left running unless the run timed out or was canceled, when
/// the whole group is ended; a ProcessScope ends them later.
/// Throws mlosbench::Error when the machine fails us: no pipe, no /bin/sh, `cwd` missing.
[[nodiscard]] ProcessResult run_process(const ProcessOptions& options);

/// Sends SIGKILL to the process group of every command that run_process() is running now, at
/// once (no grace), and makes every ProcessScope::end() under way kill at once too.
/// Async-signal-safe: a second Ctrl-C calls it from the signal handler.
void kill_running_processes() noexcept;

/// The current process environment as "NAME=value" entries (a start for ProcessOptions::env).
[[nodiscard]] std::vector<std::string> current_environment();

/// `base` with `vars` set: an entry with the same NAME is replaced in place, others appended.
[[nodiscard]] std::vector<std::string>
with_variables(std::vector<std::string> base,
               const std::vector<std::pair<std::string, std::string>>& vars);

} // namespace mlosbench
