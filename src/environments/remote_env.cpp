#include "mlosbench/environments/remote_env.hpp"

#include "environments/detail/run_phase.hpp"
#include "environments/detail/script_support.hpp"
#include "mlosbench/services/ssh_host_service.hpp"
#include "mlosbench/util/error.hpp"

namespace mlosbench {
namespace {

const SshSettings& ssh_settings(const EnvironmentSpec& spec)
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
    : RemoteEnv(spec, runner, std::make_unique<SshHostService>(ssh_settings(spec), runner.cancel))
{
}

RemoteEnv::RemoteEnv(const EnvironmentSpec& spec,
                     const RunnerContext& runner,
                     std::unique_ptr<CommandExecutor> executor)
    : Environment(spec, runner), m_settings(std::get<RemoteSettings>(spec.settings)),
      m_executor(std::move(executor)), m_pattern(detail::results_pattern(spec, m_settings.script)),
      m_timeout(m_settings.script.timeout ? m_settings.script.timeout
                                          : ssh_settings(spec).request_timeout)
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

PhaseResult RemoteEnv::execute(std::string_view phase,
                               const std::vector<std::string>& lines,
                               Status success) const
{
    ExecRequest request;
    request.variables = trial_variables();
    if (!m_runner.api_url.empty()) {
        request.variables.emplace_back("MLOSBENCH_API", m_runner.api_url);
        request.variables.emplace_back("MLOSBENCH_TOKEN", m_runner.api_token);
    }
    const auto missing =
        detail::shell_variables(m_settings.script, m_parameters, request.variables);
    if (!missing.empty()) {
        return detail::make_result(Status::failed,
                                   missing.front() + " of environment '" + name() + "'");
    }
    request.lines = lines;
    request.timeout = m_timeout;
    request.parameters = &m_parameters;
    return detail::run_phase(*m_executor, phase, request, success);
}

PhaseResult RemoteEnv::do_setup()
{
    if (m_settings.script.setup.empty()) {
        return detail::make_result(Status::ready);
    }
    return execute("setup", m_settings.script.setup, Status::ready);
}

PhaseResult RemoteEnv::do_run()
{
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

void RemoteEnv::do_teardown()
{
    if (m_settings.script.teardown.empty()) {
        return;
    }
    detail::log_teardown(name(),
                         execute("teardown", m_settings.script.teardown, Status::succeeded));
}

} // namespace mlosbench
