#include "mlosbench/environments/remote_env.hpp"

#include "environments/detail/script_support.hpp"
#include "mlosbench/util/error.hpp"

#include <spdlog/spdlog.h>
#include <sstream>

namespace mlosbench {
namespace {

// 1 -> "1", 2.5 -> "2.5".
std::string seconds_text(double seconds)
{
    std::ostringstream out;
    out << seconds;
    return out.str();
}

SshSettings ssh_settings(const EnvironmentSpec& spec)
{
    if (!spec.services.ssh_host) {
        throw ConfigError(spec.file, spec.pointer,
                          "RemoteEnv '" + spec.name +
                              "' needs an SSH host service (SshHostService)");
    }
    return *spec.services.ssh_host;
}

} // namespace

RemoteEnv::RemoteEnv(const EnvironmentSpec& spec, const RunnerContext& runner)
    : Environment(spec, runner), m_settings(std::get<RemoteSettings>(spec.settings)),
      m_ssh(ssh_settings(spec), runner.cancel),
      m_pattern(detail::results_pattern(spec, m_settings.script)),
      m_timeout(m_settings.script.timeout ? m_settings.script.timeout
                                          : m_ssh.settings().request_timeout)
{
    if (m_settings.wait_boot) {
        throw ConfigError(spec.file, spec.pointer + "/config/wait_boot",
                          "RemoteEnv '" + spec.name +
                              "': wait_boot needs a service with host operations (start_host), "
                              "and SshHostService has none; remove wait_boot");
    }
    if (!spec.params.contains("ssh_hostname")) {
        throw ConfigError(spec.file, spec.pointer + "/config",
                          "RemoteEnv '" + spec.name +
                              "' needs the parameter 'ssh_hostname': declare it in const_args "
                              "or required_args");
    }
}

PhaseResult
RemoteEnv::execute(std::string_view phase, const std::vector<std::string>& lines, Status status)
{
    const std::string prefix = std::string(phase) + ": ";
    PhaseResult result = detail::make_result(status);
    try {
        ShellVariables variables = trial_variables();
        const auto missing = detail::shell_variables(m_settings.script, m_parameters, variables);
        if (!missing.empty()) {
            return detail::make_result(Status::failed,
                                       missing.front() + " of environment '" + name() + "'");
        }
        const SshTarget target = SshTarget::from(m_ssh.settings(), m_parameters);
        const RemoteExecResult exec = m_ssh.execute(target, lines, variables, m_timeout);
        result.stdout_tail = exec.out;
        result.stderr_tail = exec.err;
        result.time = now();
        if (!exec.error.empty()) {
            result.status = Status::failed;
            result.reason = prefix + exec.error;
        } else if (exec.timed_out) {
            result.status = Status::timed_out;
            result.reason = prefix + "remote script on " + target.key() + " timed out after " +
                            seconds_text(m_timeout.value_or(0)) + " s";
        } else if (exec.canceled) {
            result.status = Status::canceled;
            result.reason = prefix + "remote script on " + target.key() + " was canceled";
        } else if (exec.exit_code != 0) {
            result.status = Status::failed;
            result.reason = prefix +
                            (exec.failed_line.empty() ? std::string("remote script")
                                                      : "'" + exec.failed_line + "'") +
                            " exited with code " + std::to_string(exec.exit_code) + " on " +
                            target.key();
        }
    } catch (const std::exception& e) {
        return detail::make_result(Status::failed, prefix + e.what());
    }
    if (result.status != status) {
        spdlog::debug("environment '{}': {}", name(), result.reason);
    }
    return result;
}

PhaseResult RemoteEnv::setup(const TrialContext& trial)
{
    static_cast<void>(Environment::setup(trial));
    m_ready = false;
    m_torn_down = false;
    if (m_settings.script.setup.empty()) {
        m_ready = true;
        return detail::make_result(Status::ready);
    }
    PhaseResult result = execute("setup", m_settings.script.setup, Status::ready);
    m_ready = result.status == Status::ready;
    return result;
}

PhaseResult RemoteEnv::run()
{
    if (!m_ready) {
        return detail::make_result(Status::failed,
                                   "run: environment '" + name() + "' is not set up");
    }
    if (m_settings.script.run.empty()) {
        return detail::make_result(Status::succeeded);
    }
    PhaseResult result = execute("run", m_settings.script.run, Status::succeeded);
    if (result.status == Status::succeeded && m_pattern) {
        result.results_source = "results_stdout_pattern '" +
                                m_settings.script.results_stdout_pattern.value_or("") + "'";
        if (auto error =
                detail::parse_stdout_results(*m_pattern, result.stdout_tail, result.results)) {
            result.status = Status::failed;
            result.reason = "run: " + *error;
            result.results = Json::object();
        }
    }
    return result;
}

void RemoteEnv::teardown()
{
    if (m_torn_down) {
        return;
    }
    m_torn_down = true;
    m_ready = false;
    if (m_settings.script.teardown.empty()) {
        return;
    }
    const PhaseResult result = execute("teardown", m_settings.script.teardown, Status::succeeded);
    if (result.status == Status::succeeded) {
        spdlog::debug("environment '{}': teardown done", name());
    } else {
        spdlog::warn("environment '{}': {}", name(), result.reason);
    }
}

} // namespace mlosbench
