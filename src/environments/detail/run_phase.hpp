#pragma once

#include "mlosbench/environments/environment.hpp"
#include "mlosbench/services/command_executor.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mlosbench::detail {

/// Runs the lines of `phase` ("setup", "run", "teardown") through `executor`. `success` with
/// the output tails when they succeed; else, with the tails and a reason "PHASE: WHY" (see
/// command_failure): FAILED for a line that exited non-zero, an SSH fault or an exception,
/// TIMED_OUT, or CANCELED.
[[nodiscard]] PhaseResult run_phase(const CommandExecutor& executor,
                                    std::string_view phase,
                                    const ExecRequest& request,
                                    Status success);

/// Why the commands of `result` did not succeed, `timeout` being the one they were given:
/// its `error`, or on this machine "'LINE' exited with code N", "'LINE' timed out after T s",
/// "'LINE' was canceled" (LINE's first line, at most 80 characters), on a remote host
/// "'LINE' exited with code N on HOST" ("remote script" when the line is unknown), "remote
/// script on HOST timed out after T s", "remote script on HOST was canceled".
[[nodiscard]] std::string command_failure(const ExecResult& result, std::optional<double> timeout);

/// Logs how the teardown lines of environment `name` ended: done at debug, a failure as a
/// warning (a teardown has no trial to fail).
void log_teardown(const std::string& name, const PhaseResult& result);

} // namespace mlosbench::detail
