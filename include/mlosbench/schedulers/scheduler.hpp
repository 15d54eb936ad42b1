#pragma once

#include "mlosbench/environments/environment.hpp"
#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/schedulers/run_verdict.hpp"
#include "mlosbench/schedulers/scheduler_spec.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "mlosbench/util/secret_mask.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// How the run should behave beyond the scheduler config (the flags of `mlosbench run`).
struct RunPolicy
{
    double max_failed_share = 0.2;            ///< exit 1 above this share of failed trials
    std::int64_t max_consecutive_failures = 5; ///< stop after this many in a row; 0 = never
    bool keep_temp = false;
    CancelToken cancel;               ///< requested once SIGINT/SIGTERM arrived
    std::string storage_location;     ///< for MLOSBENCH_STORAGE and the summary
    std::vector<std::filesystem::path> search_path;
    /// Masked in a trial's failure reason and output tails before they are logged or stored,
    /// and in the run's failure.
    SecretMask secrets;
    /// Called after each state change (trial started/finished), for a progress line.
    std::function<void(const struct RunProgress&)> on_progress;
    /// Called once for each trial this run finished, before on_progress, for a log line.
    std::function<void(const struct TrialEnd&)> on_trial_end;
    /// The optimizer's max_suggestions (0: none), for the number of trials the run plans.
    std::int64_t max_suggestions = 0;
    /// `--total-trials`: the experiment's bound, across every worker and run: no trial is
    /// made beyond that many, and the run stops once that many have finished. 0: none.
    std::int64_t total_trials = 0;
    /// `--join`: other workers share the experiment. Their finished trials feed the optimizer
    /// as they come and their running configs are told to it; with total_trials a worker
    /// whose work is done waits for the others' trials to finish, taking over those of a
    /// worker that dies.
    bool join = false;
    /// How often the worker renews its lease and looks for trials to take over (a third of
    /// the lease timeout).
    std::chrono::milliseconds heartbeat_interval{20'000};
    /// serve's URL and token for trials on other hosts (RunnerContext::api_url).
    std::string api_url;
    std::string api_token;
};

/// A trial that is running, and since when.
struct RunningTrial
{
    std::int64_t trial_id = 0;
    std::chrono::steady_clock::time_point since;
};

/// Counts of this run so far.
struct RunProgress
{
    std::int64_t started = 0;
    std::int64_t running = 0;
    std::map<Status, std::int64_t> finished; ///< by final status
    /// The most trials this run will finish, when a budget bounds it (the unfinished trials
    /// it resumes, then max_suggestions x trial_config_repeat_count or max_trials, within
    /// --total-trials); nullopt without a budget.
    std::optional<std::int64_t> planned;
    std::optional<double> best_first_score;  ///< best value of the first target so far
    std::optional<std::int64_t> best_trial_id; ///< the trial that scored it
    std::vector<RunningTrial> running_trials;  ///< in the order they started
};

/// A trial this run finished (not one another worker took over).
struct TrialEnd
{
    std::int64_t trial_id = 0;
    int runner_id = 0;
    Status status = Status::unknown;
    std::chrono::duration<double> duration{}; ///< from its start to its end, on this runner
    std::map<std::string, double> scores;     ///< the targets' values (empty unless SUCCEEDED)
    TunableValues config;
    std::string reason; ///< why it did not succeed ("" when it did), secrets masked
};

/// What a run did, for the summary and the exit code.
struct RunSummary
{
    std::string experiment_id;
    std::string storage;
    bool resumed = false;
    std::map<Status, std::int64_t> counts; ///< trials finished by this run, by status
    std::int64_t trials = 0;                ///< trials finished by this run
    /// Finished trials the experiment holds at the end: this run's, earlier runs' and other
    /// workers'.
    std::int64_t experiment_finished = 0;
    /// Finished trials the optimizer learned from: this run's, and those of other workers
    /// and (for an optimizer that warm-starts) of earlier runs.
    std::int64_t observed = 0;
    std::int64_t worker_id = 0; ///< this process's worker id in the experiment
    std::optional<BestObservation> best;
    std::optional<std::int64_t> best_trial_id;
    std::vector<std::pair<std::string, std::string>> targets;
    Outcome outcome = Outcome::ok;
    std::string failure; ///< why the run counts as failed ("" when it succeeded)

    [[nodiscard]] bool interrupted() const { return outcome == Outcome::interrupted; }
};

/// Builds the environment tree of one trial runner (Environment::create of the root spec,
/// or a fake in tests). Called on the runner's thread; a ConfigError stops the run (exit 2).
using EnvironmentFactory = std::function<std::unique_ptr<Environment>(const RunnerContext&)>;

/// Runs the trials of one experiment: asks the optimizer for configs, queues
/// `trial_config_repeat_count` trials per config, runs them on `num_trial_runners` runners at
/// once (each a thread with its own environment instance), records every state change, tells
/// the optimizer of each finished trial once, and tears down once at the end.
/// Threads (docs/architecture.md): the caller's thread decides everything (what runs where,
/// when to stop); runner threads run trials and post completions; one thread watches the
/// cancel fd.
class Scheduler
{
public:
    Scheduler(const SchedulerSpec& spec, EnvironmentFactory make_environment,
              const TunableGroups& space, Optimizer& optimizer, ExperimentStorage& storage,
              RunPolicy policy);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Runs until the optimizer is done, the budget is spent, too many trials fail in a row,
    /// or the run is interrupted; the summary's outcome is judge()'s verdict. Throws Error on
    /// a fault of storage or the machine.
    [[nodiscard]] RunSummary run();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mlosbench
