#pragma once

#include "mlosbench/environments/environment.hpp"
#include "mlosbench/services/ssh_host_service.hpp"
#include "mlosbench/util/regex.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// Runs a benchmark's shell lines on a remote host over SSH (reference 4.5): `setup` lines at
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

    PhaseResult setup(const TrialContext& trial) override;
    PhaseResult run() override;
    void teardown() override;

private:
    /// Runs `lines` remotely for `phase`; `status` on success, else the failure.
    PhaseResult
    execute(std::string_view phase, const std::vector<std::string>& lines, Status status);

    const RemoteSettings& m_settings;
    SshHostService m_ssh;
    std::optional<Regex> m_pattern;
    std::optional<double> m_timeout;
    bool m_torn_down = false;
};

} // namespace mlosbench
