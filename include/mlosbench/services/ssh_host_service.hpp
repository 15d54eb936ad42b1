#pragma once

#include "mlosbench/services/command_executor.hpp"
#include "mlosbench/services/service_settings.hpp"
#include "mlosbench/util/cancel_token.hpp"
#include "mlosbench/util/json.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// Where and as whom to connect: an SSH service's settings completed by an environment's
/// parameters (docs/remote.md). The password is never logged nor part of key().
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

/// Runs scripts on remote hosts over SSH (the remote exec of mlos_bench's SshHostService), with
/// libssh. One connection per user@host:port is shared by every service object of the process
/// (thread-safe), opened at first use and reopened once when it dropped.
class SshHostService final : public CommandExecutor
{
public:
    /// `cancel`: when requested, a running remote script is signalled and abandoned.
    explicit SshHostService(SshSettings settings, CancelToken cancel = {});

    [[nodiscard]] const SshSettings& settings() const { return m_settings; }

    /// Runs `lines` in one remote shell (`ssh_shell`, stdin /dev/null) after exporting
    /// `variables`; it stops at the first line that exits non-zero, as LocalExecService does.
    /// `timeout` (seconds, for the whole script) overrides `ssh_request_timeout`. SSH faults
    /// are results (`error`), never exceptions; `host` is target.key().
    [[nodiscard]] ExecResult execute(const SshTarget& target,
                                     const std::vector<std::string>& lines,
                                     const ShellVariables& variables,
                                     std::optional<double> timeout = std::nullopt) const;
    /// execute() on the target of the request's parameters (SshTarget::from; throws Error
    /// as it does, also when the request has no parameters).
    [[nodiscard]] ExecResult execute(const ExecRequest& request) const override;

    /// The shell text execute() sends: `export NAME='value'` lines, then each line followed
    /// by a check that stops the script at the first failure.
    [[nodiscard]] static std::string build_script(const std::vector<std::string>& lines,
                                                  const ShellVariables& variables);

    /// Bytes of stdout and of stderr kept per call.
    static constexpr std::size_t k_output_cap = std::size_t{1} << 20U;

private:
    SshSettings m_settings;
    CancelToken m_cancel;
};

} // namespace mlosbench
