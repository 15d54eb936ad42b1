#pragma once

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/config/status.hpp"
#include "mlosbench/config/telemetry.hpp"
#include "mlosbench/environments/environment_spec.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "mlosbench/util/cancel_token.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/time.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// What one trial gives the environments.
struct TrialContext
{
    std::string experiment_id;
    std::int64_t trial_id = 0;
    int runner_id = 1;
    TunableValues tunables;         ///< the trial's value of every tunable
    Json metadata = Json::object(); ///< optimizer, repeat_i, is_defaults, opt_target_<i>, ...
    std::string storage;            ///< storage location, for MLOSBENCH_STORAGE
};

/// The outcome of a phase of a trial.
struct PhaseResult
{
    Status status = Status::unknown;
    Timestamp time{};
    Json results = Json::object();          ///< run(): metric -> value
    std::vector<TelemetrySample> telemetry; ///< status(): samples read
    std::string reason;                     ///< why it failed, timed out or was canceled
    std::string results_source;             ///< run(): where `results` came from, or ""
    std::string stdout_tail;                ///< output of the phase's commands (capped)
    std::string stderr_tail;
};

/// What environments get from the trial runner that owns them (one per runner thread).
struct RunnerContext
{
    int runner_id = 1;
    std::string experiment_id;                      ///< names its directory under a `temp_dir`
    std::vector<std::filesystem::path> search_path; ///< for scripts' first words and files
    const TunableGroups* space = nullptr;           ///< definitions of every tunable
    CancelToken cancel;     ///< requested when the run is interrupted: stop what runs
    bool keep_temp = false; ///< keep per-trial temp dirs
    /// False with --no-teardown: what setup lines started is left running at the end.
    bool teardown = true;
};

/// A runnable environment, built from its spec for one trial runner (reference 4).
/// Lifecycle per trial: setup -> run -> status -> end_trial; teardown once at the end.
/// Not thread-safe: each runner has its own instance.
class Environment
{
public:
    /// Builds the environment tree of `spec` for one runner. Throws ConfigError when a
    /// needed service is missing (e.g. RemoteEnv without an SSH host service).
    [[nodiscard]] static std::unique_ptr<Environment> create(const EnvironmentSpec& spec,
                                                             const RunnerContext& runner);
    virtual ~Environment() = default;
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    [[nodiscard]] const EnvironmentSpec& spec() const { return m_spec; }
    [[nodiscard]] const std::string& name() const { return m_spec.name; }

    /// Prepares for a trial: parameters = const args + own tunables + trial ids; then the
    /// environment's own setup. READY on success, else FAILED/TIMED_OUT/CANCELED + reason.
    virtual PhaseResult setup(const TrialContext& trial);
    /// Runs the benchmark: SUCCEEDED with results, or FAILED/TIMED_OUT/CANCELED + reason.
    virtual PhaseResult run() = 0;
    /// Telemetry after the run (READY + samples).
    virtual PhaseResult status();
    /// Ends the trial: removes a per-trial temp dir (unless keep_temp).
    virtual void end_trial() { m_ready = false; }
    /// Undoes setup; once at the end of the experiment (idempotent).
    virtual void teardown() {}

    /// The parameters of the current trial (const args, tunables, ids), for scripts.
    [[nodiscard]] const Json& parameters() const { return m_parameters; }

protected:
    Environment(const EnvironmentSpec& spec, const RunnerContext& runner);

    /// The tunables of this environment's groups (spec().tunable_params), in declaration order.
    [[nodiscard]] std::vector<const Tunable*> own_tunables() const;
    /// The values of own_tunables() in the current trial (a tunable the trial does not set
    /// keeps its current value in the space).
    [[nodiscard]] TunableValues own_tunable_values() const;
    /// MLOSBENCH_EXPERIMENT_ID, MLOSBENCH_TRIAL_ID, MLOSBENCH_TRIAL_RUNNER_ID and
    /// MLOSBENCH_STORAGE of the current trial, for every process an environment starts.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> trial_variables() const;

    const EnvironmentSpec& m_spec;
    const RunnerContext& m_runner;
    Json m_parameters = Json::object();
    TrialContext m_trial;
    bool m_ready = false; ///< set by a successful setup(), cleared by end_trial()
};

} // namespace mlosbench
