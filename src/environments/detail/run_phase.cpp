#include "environments/detail/run_phase.hpp"

#include "environments/detail/script_support.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

namespace mlosbench::detail {
namespace {

Status status_of(const ExecResult& result)
{
    if (!result.error.empty()) {
        return Status::failed;
    }
    if (result.timed_out) {
        return Status::timed_out;
    }
    if (result.canceled) {
        return Status::canceled;
    }
    return Status::failed;
}

// A line as a reason quotes it: its first line, at most 80 characters, "..." marking a cut.
std::string quoted_line(std::string_view line)
{
    constexpr std::size_t k_max = 80;
    const std::size_t end = std::min(line.find('\n'), k_max);
    return std::string(line.substr(0, end)) + (end < line.size() ? "..." : "");
}

// 1 -> "1", 2.5 -> "2.5" (six significant digits).
std::string seconds_text(double seconds)
{
    std::ostringstream out;
    out << seconds;
    return out.str();
}

// On this machine each line runs on its own, with its own timeout.
std::string local_failure(const ExecResult& result, std::optional<double> timeout)
{
    const std::string line = "'" + quoted_line(result.line) + "' ";
    if (result.timed_out) {
        return line + "timed out after " + (timeout ? json_to_text(Json(*timeout)) : "?") + " s";
    }
    if (result.canceled) {
        return line + "was canceled";
    }
    return line + "exited with code " + std::to_string(result.exit_code);
}

// On a remote host the lines run as one script, the timeout being the script's.
std::string remote_failure(const ExecResult& result, std::optional<double> timeout)
{
    const std::string script = "remote script on " + result.host;
    if (result.timed_out) {
        return script + " timed out after " + seconds_text(timeout.value_or(0)) + " s";
    }
    if (result.canceled) {
        return script + " was canceled";
    }
    return (result.line.empty() ? std::string("remote script") : "'" + result.line + "'") +
           " exited with code " + std::to_string(result.exit_code) + " on " + result.host;
}

} // namespace

std::string command_failure(const ExecResult& result, std::optional<double> timeout)
{
    if (!result.error.empty()) {
        return result.error;
    }
    return result.host.empty() ? local_failure(result, timeout) : remote_failure(result, timeout);
}

PhaseResult run_phase(const CommandExecutor& executor,
                      std::string_view phase,
                      const ExecRequest& request,
                      Status success)
{
    const std::string prefix = std::string(phase) + ": ";
    try {
        const ExecResult commands = executor.execute(request);
        PhaseResult result = make_result(success);
        result.stdout_tail = commands.out;
        result.stderr_tail = commands.err;
        if (!commands.ok()) {
            result.status = status_of(commands);
            result.reason = prefix + command_failure(commands, request.timeout);
        }
        return result;
    } catch (const std::exception& e) {
        return make_result(Status::failed, prefix + e.what());
    }
}

void log_teardown(const std::string& name, const PhaseResult& result)
{
    if (result.status == Status::succeeded) {
        spdlog::debug("environment '{}': teardown done", name);
    } else {
        spdlog::warn("environment '{}': {}", name, result.reason);
    }
}

} // namespace mlosbench::detail
