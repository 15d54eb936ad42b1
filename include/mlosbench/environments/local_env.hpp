#pragma once

#include "mlosbench/environments/environment.hpp"
#include "mlosbench/services/local_exec_service.hpp"
#include "mlosbench/util/process_scope.hpp"
#include "mlosbench/util/regex.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// Where the first words of the local script lines of `spec` are looked up, in order: the
/// directory of its config file, then `search_path` (the runner's), each once.
[[nodiscard]] std::vector<std::filesystem::path>
script_search_path(const EnvironmentSpec& spec,
                   const std::vector<std::filesystem::path>& search_path);

/// Runs a benchmark with shell lines on this machine (docs/trials.md): dumps the tunables into
/// the trial's temp dir, runs `setup` and `run` lines there, reads results from stdout and a
/// CSV file, telemetry from another CSV file, and runs `teardown` lines at the end.
class LocalEnv : public Environment
{
public:
    /// `spec.settings` must hold LocalSettings. Throws ConfigError for a bad
    /// `results_stdout_pattern` (not a regex, or not two groups).
    LocalEnv(const EnvironmentSpec& spec, const RunnerContext& runner);
    /// Ends what the lines left running (see the scopes below).
    ~LocalEnv() override;
    LocalEnv(const LocalEnv&) = delete;
    LocalEnv& operator=(const LocalEnv&) = delete;
    LocalEnv(LocalEnv&&) = delete;
    LocalEnv& operator=(LocalEnv&&) = delete;

    /// The current trial's working directory; nullopt outside a trial.
    [[nodiscard]] std::optional<std::filesystem::path> temp_dir() const;

protected:
    LocalEnv(const EnvironmentSpec& spec,
             const RunnerContext& runner,
             const LocalSettings& settings);

    /// A local path: absolute as is; else relative to the trial's temp dir when it exists
    /// there, else the first directory of the search path that has it; nullopt when none has.
    [[nodiscard]] std::optional<std::filesystem::path>
    find_local(const std::filesystem::path& path) const;
    /// The configured `temp_dir` with parameters expanded, or nullopt.
    [[nodiscard]] std::optional<std::filesystem::path> configured_temp_dir() const;

    /// The shell variables, the trial's working directory and files, the dump files, then the
    /// setup lines (what they leave running lives until teardown).
    PhaseResult do_setup() override;
    /// The run lines (what they leave running lives until the trial ends), then the results
    /// from stdout and the results file.
    PhaseResult do_run() override;
    /// The telemetry file's samples.
    PhaseResult do_status() override;
    /// Ends what the run lines left running; removes a fresh working directory.
    void do_end_trial() override;
    /// The teardown lines in the runner's directory, then ends what setup lines left running.
    void do_teardown() override;

    const LocalSettings& m_settings;
    std::vector<std::filesystem::path> m_search_path; ///< the config's directory, then the runner's
    LocalExecService m_exec;
    std::optional<double> m_timeout; ///< per line: the env's, else the service's

private:
    void run_teardown_lines();
    /// A request for `lines` in the trial's working directory, with `scope`.
    [[nodiscard]] ExecRequest request(const std::vector<std::string>& lines,
                                      const ProcessScope& scope) const;
    /// Ends what `scope` holds, saying so when there was something (`lines`: "run", "setup").
    void end_processes(const ProcessScope& scope, std::string_view lines) const;
    [[nodiscard]] std::optional<std::string> write_dump_files() const;
    void read_results(const std::string& stdout_text, PhaseResult& result) const;
    void read_results_file(PhaseResult& result) const;
    /// The configured or the service's `temp_dir`, absolute, or nullopt.
    [[nodiscard]] std::optional<std::filesystem::path> temp_dir_base() const;
    /// The trial's working directory: `<temp_dir>/<experiment id>/runner-<N>` under a
    /// configured temp dir (kept), else a fresh directory (removed unless keep_temp).
    [[nodiscard]] TempDirContext work_dir_context() const;
    /// Sets `out` to the file `name` of the `key` setting in the trial's working directory, or
    /// returns why it cannot be read there.
    [[nodiscard]] std::optional<std::string>
    trial_file(const std::string& key, const std::string& name, std::filesystem::path& out) const;
    /// Finds the results and telemetry files of the trial and removes what an earlier trial
    /// left there; returns an error message.
    [[nodiscard]] std::optional<std::string> prepare_trial_files();
    [[nodiscard]] std::vector<TelemetrySample> read_telemetry() const;

    std::optional<Regex> m_pattern;
    std::optional<TempDirContext> m_temp;
    std::optional<std::filesystem::path> m_results_path;   ///< of the current trial
    std::optional<std::filesystem::path> m_telemetry_path; ///< of the current trial
    ShellVariables m_variables; ///< shell variables + trial variables of the current trial
    /// What setup and teardown lines leave running (a server for the trials): ended after
    /// teardown, or when the environment goes, unless teardown is off (--no-teardown).
    ProcessScope m_setup_processes;
    /// What run lines leave running (a monitor, a load generator): ended when the trial ends.
    ProcessScope m_trial_processes;
};

} // namespace mlosbench
