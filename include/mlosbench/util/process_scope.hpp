#pragma once

#include "mlosbench/util/process.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace mlosbench {

/// The variable by which a scope's processes are known; descendants inherit it.
inline constexpr std::string_view k_process_scope_variable = "MLOSBENCH_PROCESS_SCOPE";

/// What the commands run with this scope (ProcessOptions::scope) leave running: background
/// jobs that outlived their line, and daemons that left its process group (`setsid`).
/// end() finds and ends them. How they are found: the first scope makes this process the
/// "child subreaper" of its descendants (Linux PR_SET_CHILD_SUBREAPER), so a process whose
/// parent exits becomes our child rather than init's; each command gets
/// MLOSBENCH_PROCESS_SCOPE=<token> in its environment, and so do its descendants. A process
/// that clears its environment, or that runs as another user, is not found. Thread-safe.
class ProcessScope
{
public:
    ProcessScope();
    ~ProcessScope() = default;
    ProcessScope(const ProcessScope&) = delete;
    ProcessScope& operator=(const ProcessScope&) = delete;
    ProcessScope(ProcessScope&&) = delete;
    ProcessScope& operator=(ProcessScope&&) = delete;

    /// "MLOSBENCH_PROCESS_SCOPE=<token>", unique to this scope in this process.
    [[nodiscard]] const std::string& variable() const { return m_variable; }

    /// Ends every process of the scope still running: SIGTERM to it and its process group,
    /// SIGKILL after `grace_seconds` to what is left (at once after kill_running_processes()).
    /// Returns as soon as none is left (a few milliseconds when there was none), and at the
    /// latest 2 s after SIGKILL. Also reaps children of ours that ended. Returns how many
    /// processes it signalled. The scope stays usable.
    std::size_t end(double grace_seconds = k_kill_grace_seconds) const noexcept;

private:
    std::string m_variable;
};

} // namespace mlosbench
