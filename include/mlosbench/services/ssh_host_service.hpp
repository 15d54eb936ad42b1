#pragma once

#include "mlosbench/services/local_exec_service.hpp"
#include "mlosbench/services/service_settings.hpp"
#include "mlosbench/util/cancel_token.hpp"
#include "mlosbench/util/json.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// Where and as whom to connect: an SSH service's settings completed by an environment's
/// parameters (reference 5.6). The password is never logged nor part of key().
struct SshTarget
{
    std::string host;
    int port = 22;
    std::string username;
    std::optional<std::string> priv_key_path;    ///< nullopt: ssh-agent and the default keys
    std::optional<std::string> password;         ///< `ssh_password`; tried after the keys
    std::optional<std::string> known_hosts_path; ///< nullopt: host keys are not checked
    std::optional<double> keepalive_interval;    ///< seconds
    std::optional<double> connect_timeout;       ///< seconds; nullopt: 30

    /// "user@host:port", the name of the shared connection.
    [[nodiscard]] std::string key() const;

    /// `settings` completed with the parameters `ssh_hostname` (required), `ssh_port`,
    /// `ssh_username` (default: the current user), `ssh_priv_key_path` and `ssh_password`,
    /// which win over the service's values. Throws Error when `ssh_hostname` is missing.
    [[nodiscard]] static SshTarget from(const SshSettings& settings, const Json& params);
};

/// How a remote script ended. Connection faults are results too (`error`), never exceptions.
struct RemoteExecResult
{
    int exit_code = -1;     ///< of the remote shell; -1 when it gave none
    bool timed_out = false; ///< the request timeout passed; the remote script was signalled
    bool canceled = false;  ///< the cancel fd fired; the remote script was signalled
    /// Non-empty when SSH failed: cannot connect, host key refused, authentication failed,
    /// connection lost. Names the target, never the password.
    std::string error;
    std::string failed_line; ///< the script line that exited non-zero, as written ("" if unknown)
    std::string out;         ///< stdout (tail, at most k_output_cap bytes)
    std::string err;         ///< stderr (tail)

    /// Exit code 0, no SSH error, neither timed out nor canceled.
    [[nodiscard]] bool ok() const
    {
        return error.empty() && exit_code == 0 && !timed_out && !canceled;
    }
};

/// Runs scripts on remote hosts over SSH (mlos_bench's SshHostService: remote exec and OS
/// operations), with libssh. One connection per user@host:port is shared by every service
/// object of the process (thread-safe), opened at first use and reopened once when it dropped.
class SshHostService
{
public:
    /// `cancel`: when requested, a running remote script is signalled and abandoned.
    explicit SshHostService(SshSettings settings, CancelToken cancel = {});

    [[nodiscard]] const SshSettings& settings() const { return m_settings; }

    /// Runs `lines` in one remote shell (`ssh_shell`, stdin /dev/null) after exporting
    /// `variables`; it stops at the first line that exits non-zero, as LocalExecService does.
    /// `timeout` (seconds, for the whole script) overrides `ssh_request_timeout`.
    [[nodiscard]] RemoteExecResult execute(const SshTarget& target,
                                           const std::vector<std::string>& lines,
                                           const ShellVariables& variables,
                                           std::optional<double> timeout = std::nullopt) const;

    /// Shuts the host down / reboots it (reference 5.6): tries the usual commands in turn,
    /// through `sudo -n` unless the remote user is root; `force` kills instead of a clean stop.
    [[nodiscard]] RemoteExecResult shutdown(const SshTarget& target, bool force) const;
    [[nodiscard]] RemoteExecResult reboot(const SshTarget& target, bool force) const;

    /// The shell text execute() sends: `export NAME='value'` lines, then each line followed
    /// by a check that stops the script at the first failure.
    [[nodiscard]] static std::string build_script(const std::vector<std::string>& lines,
                                                  const ShellVariables& variables);
    /// The script of shutdown() (reboot = false) or reboot().
    [[nodiscard]] static std::string os_operation_script(bool reboot, bool force);

    /// Bytes of stdout and of stderr kept per call.
    static constexpr std::size_t k_output_cap = std::size_t{1} << 20U;

private:
    SshSettings m_settings;
    CancelToken m_cancel;
};

} // namespace mlosbench
