#pragma once

#include "mlosbench/util/json.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

class ProcessScope;

/// Shell variables for a command: NAME -> value.
using ShellVariables = std::vector<std::pair<std::string, std::string>>;

/// The lines of one phase of an environment (setup, run, teardown) and how to run them.
struct ExecRequest
{
    std::vector<std::string> lines; ///< shell lines, as written in the config
    ShellVariables variables;       ///< exported to every line
    /// Working directory of the lines (this machine only; a remote shell starts in its home).
    std::filesystem::path cwd;
    /// Seconds: per line on this machine, for the whole script on a remote host; nullopt: the
    /// service's own.
    std::optional<double> timeout;
    /// The environment's parameters: a remote executor finds its host in them (`ssh_hostname`,
    /// ...). nullptr: none.
    const Json* parameters = nullptr;
    /// Owns what the lines leave running (this machine only; see ProcessScope); nullptr: none.
    const ProcessScope* scope = nullptr;
};

/// How the lines of a request ended. A line that fails, a timeout, a cancel and an SSH fault
/// are results, never exceptions.
struct ExecResult
{
    int exit_code = 0;      ///< of the last line that ran (0 without lines; -1 when none came)
    bool timed_out = false; ///< the timeout passed and what ran was ended
    bool canceled = false;  ///< the cancel token was requested and what ran was ended
    /// Non-empty when the commands could not run where they should: cannot connect, host key
    /// refused, authentication failed, connection lost. Names the target, never a password.
    std::string error;
    /// The line that ended the commands, as written: on this machine the last line that ran;
    /// on a remote host the line that exited non-zero ("" when unknown).
    std::string line;
    std::size_t lines_run = 0; ///< lines started (this machine only)
    /// Where the lines ran: "" for this machine, "user@host:port" for a remote host, whose
    /// lines run as one script.
    std::string host;
    std::string out; ///< stdout of what ran (tail, capped by the executor)
    std::string err; ///< stderr likewise

    /// Exit code 0, no error, neither timed out nor canceled.
    [[nodiscard]] bool ok() const
    {
        return error.empty() && exit_code == 0 && !timed_out && !canceled;
    }
};

/// Runs the lines of a phase somewhere: on this machine (LocalExecService) or on a remote host
/// (SshHostService). Environments see only this interface, so that tests can put a fake in.
class CommandExecutor
{
public:
    CommandExecutor() = default;
    virtual ~CommandExecutor() = default;
    CommandExecutor(const CommandExecutor&) = delete;
    CommandExecutor& operator=(const CommandExecutor&) = delete;
    CommandExecutor(CommandExecutor&&) = delete;
    CommandExecutor& operator=(CommandExecutor&&) = delete;

    /// Runs `request.lines` and waits for them. Throws Error only when the machine fails us
    /// (no /bin/sh, `cwd` missing) or the request cannot be run (no `ssh_hostname`).
    [[nodiscard]] virtual ExecResult execute(const ExecRequest& request) const = 0;
};

} // namespace mlosbench
