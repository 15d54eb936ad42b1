#pragma once

#include "mlosbench/environments/environment.hpp"
#include "mlosbench/services/command_executor.hpp"
#include "mlosbench/util/regex.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// Runs a benchmark's shell lines on a remote host over SSH (docs/remote.md): `setup` lines at
/// setup, `run` lines at run (results from stdout with `results_stdout_pattern`), `teardown`
/// lines at the end, each phase as one remote script with the `shell_env_params` exported.
/// The host comes from the parameters (`ssh_hostname`, ...). SSH faults (cannot connect, host
/// key refused, authentication, connection lost) fail the trial with the reason; the next
/// trial connects again. `timeout` (else `ssh_request_timeout`) limits each phase: TIMED_OUT.
class RemoteEnv : public Environment
{
public:
    /// `spec.settings` must hold RemoteSettings and `spec.services` an SSH host service.
    /// Throws ConfigError for a bad `results_stdout_pattern`, a missing `ssh_hostname`
    /// parameter or `wait_boot` (SshHostService has no host operations to wait for).
    RemoteEnv(const EnvironmentSpec& spec, const RunnerContext& runner);
    /// As above, the lines running through `executor` instead of an SshHostService of the
    /// spec's SSH settings (tests put a fake in).
    RemoteEnv(const EnvironmentSpec& spec,
              const RunnerContext& runner,
              std::unique_ptr<CommandExecutor> executor);

protected:
    /// The setup lines remotely (none: READY without connecting).
    PhaseResult do_setup() override;
    /// The run lines remotely, then the results from their stdout.
    PhaseResult do_run() override;
    /// The teardown lines remotely.
    void do_teardown() override;

private:
    /// Runs `lines` remotely for `phase`; `success` when they succeed, else the failure.
    [[nodiscard]] PhaseResult
    execute(std::string_view phase, const std::vector<std::string>& lines, Status success) const;

    const RemoteSettings& m_settings;
    std::unique_ptr<CommandExecutor> m_executor;
    std::optional<Regex> m_pattern;
    std::optional<double> m_timeout;
};

} // namespace mlosbench
