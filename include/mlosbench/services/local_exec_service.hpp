#pragma once

#include "mlosbench/services/command_executor.hpp"
#include "mlosbench/services/service_settings.hpp"
#include "mlosbench/util/process.hpp"
#include "mlosbench/util/temporary_directory.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// A working directory for a trial's commands: either a directory we were given (created if
/// missing, never deleted) or a fresh one under the system temp dir, removed with the context
/// unless kept.
class TempDirContext
{
public:
    /// A directory we were given.
    explicit TempDirContext(std::filesystem::path given) : m_path(std::move(given)) {}
    /// A fresh directory.
    explicit TempDirContext(TemporaryDirectory fresh)
        : m_path(fresh.path()), m_fresh(std::move(fresh))
    {
    }

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    /// True for a fresh directory this context created (and removes unless kept).
    [[nodiscard]] bool owned() const { return m_fresh.has_value(); }

private:
    std::filesystem::path m_path;
    std::optional<TemporaryDirectory> m_fresh;
};

/// Runs script lines for environments on this machine (LocalExecService of mlos_bench).
/// Each line runs separately as `/bin/sh -c LINE`, exactly as written, except that its first
/// word is replaced by an absolute path when it names a file of the search path (see
/// resolve_line). Thread-compatible: const methods may run concurrently.
class LocalExecService final : public CommandExecutor
{
public:
    /// `search_path`: where first words of lines are looked up, in order (an environment puts
    /// its config file's directory first). `cancel`: see ProcessOptions::cancel.
    LocalExecService(LocalExecSettings settings,
                     std::vector<std::filesystem::path> search_path,
                     CancelToken cancel = {});

    [[nodiscard]] const LocalExecSettings& settings() const { return m_settings; }

    /// Runs the lines one by one in `request.cwd` with the process environment plus the
    /// variables. With `abort_on_error` it stops at the first line that fails; a timeout or a
    /// cancel always stops. The timeout (seconds per line) overrides the service's. What the
    /// lines leave running belongs to `request.scope`, when given. Throws Error only when the
    /// machine fails us (no /bin/sh, `cwd` missing).
    [[nodiscard]] ExecResult execute(const ExecRequest& request) const override;
    /// execute() of a request made of these.
    [[nodiscard]] ExecResult execute(const std::vector<std::string>& lines,
                                     const ShellVariables& variables,
                                     const std::filesystem::path& cwd,
                                     std::optional<double> timeout = std::nullopt,
                                     const ProcessScope* scope = nullptr) const;

    /// The line as it will run: when its first word names an existing regular file in a
    /// directory of the search path, that word becomes the file's absolute path, shell-quoted,
    /// and a `.py` file gets `python3 ` in front. Words that assign a variable, contain `$` or
    /// a backquote, or name no file are left for /bin/sh.
    [[nodiscard]] std::string resolve_line(const std::string& line) const;

    /// The first word of `line` when it looks like a script (contains '/', or ends in `.sh` or
    /// `.py`) but names no file that resolve_line would find; nullopt otherwise (a plain
    /// command name is for /bin/sh to find on PATH).
    [[nodiscard]] std::optional<std::string> missing_script(const std::string& line) const;

    /// A working directory: `dir` when given, else the service's `temp_dir`, both created if
    /// missing and never removed; else a fresh directory removed by the context unless `keep`.
    /// Throws Error when a directory cannot be created.
    [[nodiscard]] TempDirContext temp_dir_context(const std::optional<std::filesystem::path>& dir,
                                                  bool keep) const;

    /// Bytes of stdout and of stderr kept per execute() call.
    static constexpr std::size_t k_output_cap = std::size_t{1} << 20U;

private:
    /// The file `name` names: absolute as it is, relative in the first search path directory
    /// that has it.
    [[nodiscard]] std::optional<std::filesystem::path>
    find_script(const std::filesystem::path& name) const;

    LocalExecSettings m_settings;
    std::vector<std::filesystem::path> m_search_path;
    CancelToken m_cancel;
};

} // namespace mlosbench
