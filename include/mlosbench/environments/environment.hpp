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
    /// `run --api`: serve's URL and token, which RemoteEnv gives its lines as MLOSBENCH_API
    /// and MLOSBENCH_TOKEN so that `post-metric` on the host reaches this storage over HTTP
    /// ("": not given; a local trial posts to the storage directly).
    std::string api_url;
    std::string api_token;
};

/// A runnable environment, built from its spec for one trial runner (docs/trials.md). The
/// lifecycle per trial is setup -> run -> status -> end_trial, and teardown once at the end:
/// these public functions keep the state (ready, torn down), the parameters and the times of
/// every class, and call the protected do_* hooks a class implements.
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
    Environment(Environment&&) = delete;
    Environment& operator=(Environment&&) = delete;

    [[nodiscard]] const EnvironmentSpec& spec() const { return m_spec; }
    [[nodiscard]] const std::string& name() const { return m_spec.name; }

    /// Prepares for a trial: parameters = const args + trial metadata they name + trial ids +
    /// own tunables; then do_setup(). READY on success (the environment is then ready), else
    /// FAILED/TIMED_OUT/CANCELED + reason.
    PhaseResult setup(const TrialContext& trial);
    /// Runs the benchmark (do_run()): SUCCEEDED with results, or FAILED/TIMED_OUT/CANCELED +
    /// reason; FAILED "run: environment 'NAME' is not set up" without a successful setup.
    PhaseResult run();
    /// Telemetry after the run (do_status(): READY + samples); PENDING when not set up.
    PhaseResult status();
    /// Ends the trial (do_end_trial(): e.g. removes a per-trial temp dir unless keep_temp);
    /// the environment is no longer ready.
    void end_trial();
    /// Undoes what setups did (do_teardown()), once at the end of the experiment: a second
    /// call does nothing until the next setup.
    void teardown();

    /// True between a successful setup() and end_trial() or teardown().
    [[nodiscard]] bool is_ready() const { return m_ready; }
    /// The parameters of the current trial (const args, tunables, ids), for scripts.
    [[nodiscard]] const Json& parameters() const { return m_parameters; }

protected:
    Environment(const EnvironmentSpec& spec, const RunnerContext& runner);

    /// The class's setup, with parameters() and m_trial of the new trial set: READY, or why
    /// not. Default: READY.
    virtual PhaseResult do_setup();
    /// The class's run; called only when ready.
    virtual PhaseResult do_run() = 0;
    /// The class's status; called only when ready. Default: READY without samples.
    virtual PhaseResult do_status();
    /// The class's end of a trial. Default: nothing.
    virtual void do_end_trial() {}
    /// The class's teardown; logs what went wrong itself (nothing returns to a trial).
    /// Default: nothing.
    virtual void do_teardown() {}

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

private:
    /// `result` stamped with the time its phase ended; logged at debug unless `success`.
    [[nodiscard]] PhaseResult finish(PhaseResult result, Status success) const;

    bool m_ready = false;     ///< set by a successful setup(), cleared by end_trial(), teardown()
    bool m_torn_down = false; ///< set by teardown(), cleared by setup()
};

} // namespace mlosbench
