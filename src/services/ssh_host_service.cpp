#include "mlosbench/services/ssh_host_service.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/paths.hpp"
#include "mlosbench/util/strings.hpp"
#include "services/detail/ssh_session.hpp"

#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <utility>

namespace mlosbench {
namespace {

// Marks the line that failed on stderr; execute() takes it out again. It starts with a
// newline so that it is alone on its line whatever the script printed last.
constexpr std::string_view k_failed_marker = "\n@@mlosbench-failed-line ";

std::string current_user()
{
    std::array<char, 4096> buffer{};
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
        found != nullptr) {
        return found->pw_name;
    }
    const char* user = std::getenv("USER");
    return user != nullptr ? user : "root";
}

std::optional<std::string> text_param(const Json& params, const char* name)
{
    const auto it = params.find(name);
    if (it == params.end() || it->is_null()) {
        return std::nullopt;
    }
    return json_to_text(*it);
}

} // namespace

std::string SshTarget::key() const { return username + "@" + host + ":" + std::to_string(port); }

SshTarget SshTarget::from(const SshSettings& settings, const Json& params)
{
    SshTarget target;
    const auto host = text_param(params, "ssh_hostname");
    if (!host || host->empty()) {
        throw Error("missing required parameter 'ssh_hostname' (the host to connect to)");
    }
    target.host = *host;
    target.port = settings.port.value_or(22);
    if (const auto port = params.find("ssh_port");
        port != params.end() && port->is_number_integer()) {
        target.port = port->get<int>();
    } else if (port != params.end() && port->is_string()) {
        try {
            target.port = std::stoi(port->get<std::string>());
        } catch (const std::exception&) {
            throw Error("parameter 'ssh_port' is not a port number: '" + port->get<std::string>() +
                        "'");
        }
    }
    target.username =
        text_param(params, "ssh_username").value_or(settings.username.value_or(current_user()));
    if (auto key = text_param(params, "ssh_priv_key_path")) {
        target.priv_key_path = expand_home(*key);
    } else {
        target.priv_key_path = settings.priv_key_path;
    }
    target.password = text_param(params, "ssh_password");
    if (settings.known_hosts_checking) {
        target.known_hosts_path =
            settings.known_hosts_path.value_or(expand_home("~/.ssh/known_hosts"));
    }
    target.keepalive_interval = settings.keepalive_interval;
    target.connect_timeout = settings.request_timeout;
    return target;
}

SshHostService::SshHostService(SshSettings settings, CancelToken cancel)
    : m_settings(std::move(settings)), m_cancel(cancel)
{
}

std::string SshHostService::build_script(const std::vector<std::string>& lines,
                                         const ShellVariables& variables)
{
    std::string script;
    for (const auto& [name, value] : variables) {
        script += "export " + name + "=" + shell_quote(value) + "\n";
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        // The line on its own, then the check on the next line: a comment or a trailing `&`
        // in the line cannot swallow it.
        script += lines[i] + "\n";
        script += "__mlosbench_rc=$?; if [ \"$__mlosbench_rc\" -ne 0 ]; then "
                  "printf '\\n@@mlosbench-failed-line %d\\n' " +
                  std::to_string(i) + " >&2; exit \"$__mlosbench_rc\"; fi\n";
    }
    return script;
}

ExecResult SshHostService::execute(const SshTarget& target,
                                   const std::vector<std::string>& lines,
                                   const ShellVariables& variables,
                                   std::optional<double> timeout) const
{
    if (!timeout) {
        timeout = m_settings.request_timeout;
    }
    // The script is an argument of the shell, so that its stdin is /dev/null and a command
    // reading stdin cannot eat the script.
    const std::string command = "exec " + shell_quote(m_settings.shell) + " -c " +
                                shell_quote(build_script(lines, variables)) + " </dev/null";
    spdlog::debug("ssh: running {} line(s) on {}", lines.size(), target.key());
    detail::CommandRun run =
        detail::run_ssh_command(target, command, timeout, m_cancel, k_output_cap);
    ExecResult result;
    result.host = target.key();
    result.exit_code = run.exit_code;
    result.timed_out = run.timed_out;
    result.canceled = run.canceled;
    result.error = std::move(run.error);
    result.out = std::move(run.out);
    result.err = std::move(run.err);
    if (const auto at = result.err.rfind(k_failed_marker); at != std::string::npos) {
        const std::string index = trim(result.err.substr(at + k_failed_marker.size()));
        try {
            const auto i = static_cast<std::size_t>(std::stoul(index));
            if (i < lines.size()) {
                result.line = lines[i];
                result.err.erase(at);
            }
        } catch (const std::exception&) {
            // Not our marker after all: leave stderr as it is.
        }
    }
    return result;
}

ExecResult SshHostService::execute(const ExecRequest& request) const
{
    const Json no_parameters = Json::object();
    const SshTarget target = SshTarget::from(
        m_settings, request.parameters != nullptr ? *request.parameters : no_parameters);
    return execute(target, request.lines, request.variables, request.timeout);
}

} // namespace mlosbench
