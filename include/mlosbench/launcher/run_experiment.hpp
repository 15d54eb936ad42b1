#pragma once

#include "mlosbench/launcher/launch_plan.hpp"
#include "mlosbench/schedulers/scheduler.hpp"
#include "mlosbench/util/cancel_token.hpp"

#include <chrono>
#include <cstdint>
#include <functional>

namespace mlosbench {

/// How a run behaves beyond its configs (flags of `mlosbench run`).
struct RunOptions
{
    double max_failed_share = 0.2;             ///< more failed trials than this share: failed
    std::int64_t max_consecutive_failures = 5; ///< stop after this many in a row; 0 = never
    bool keep_temp = false;                    ///< keep the trials' temp dirs
    bool force = false; ///< resume even when the stored tunables or objectives differ
    bool join = false;  ///< --join: work beside the experiment's other workers
    std::int64_t total_trials = 0; ///< --total-trials: the experiment's bound; 0 = none
    /// --lease-timeout: a worker silent this long is dead; heartbeats come 3 times as often.
    std::chrono::milliseconds lease_timeout{60'000};
    /// --api: serve's URL (http://HOST:PORT) and its token, given to RemoteEnv trials as
    /// MLOSBENCH_API and MLOSBENCH_TOKEN ("": not given).
    std::string api_url;
    std::string api_token;
    /// Called on the calling thread after each state change, for a progress line.
    std::function<void(const RunProgress&)> on_progress;
    /// Called on the calling thread once for each trial this run finished, for a log line.
    std::function<void(const TrialEnd&)> on_trial_end;
};

/// Runs the experiment of `plan` from start to end: opens its storage, records the git
/// information of the root environment config, creates or resumes the experiment, builds the
/// optimizer and the scheduler, runs the trials until done or `cancel` is requested, and
/// records how the experiment ended (CANCELED when interrupted, SUCCEEDED when the outcome is
/// ok, else FAILED, also when a fault ends it). The summary's outcome says how it went
/// (docs/architecture.md). Throws ConfigError for a config fault found before any trial
/// runs (a changed experiment on resume, a bad optimizer config), Error for a fault of
/// storage or the machine.
[[nodiscard]] RunSummary run_experiment(const LaunchPlan& plan,
                                        const RunOptions& options,
                                        CancelToken cancel);

} // namespace mlosbench
