#pragma once

#include "mlosbench/storage/storage.hpp"
#include "mlosbench/tunables/tunable.hpp"
#include "shared_connection.hpp"
#include "worker_liveness.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlosbench::detail {

/// Who records into an experiment: a registered worker, or an attached process (worker 0:
/// post-metric), which makes no trials and is never refused for a lease.
struct WorkerContext
{
    std::int64_t worker_id = 0;
    std::string host; ///< this machine, as worker rows name it
    std::chrono::milliseconds lease_timeout{60'000};
    std::int64_t first_trial_id = 1; ///< the id new_trial gives when the experiment has none
};

/// The ExperimentStorage of experiment `experiment_id` in `connection`'s database, which it
/// shares (and keeps open) with the storage it came from. `resumed` is what resumed() tells;
/// `types` type the tunable values read back (a tunable missing from it reads back as a number when
/// its text is one, else as text).
[[nodiscard]] std::unique_ptr<ExperimentStorage>
make_sql_experiment(std::shared_ptr<SharedConnection> connection,
                    std::string experiment_id,
                    bool resumed,
                    WorkerContext worker,
                    std::map<std::string, TunableType> types);

/// The running workers of an experiment, split by is_live at `now`.
struct WorkerCensus
{
    std::vector<RunningWorker> live;
    std::vector<RunningWorker> dead;

    /// Whether worker `worker_id` is among the live ones.
    [[nodiscard]] bool is_live(std::int64_t worker_id) const
    {
        return std::any_of(live.begin(), live.end(),
                           [&](const RunningWorker& w) { return w.worker_id == worker_id; });
    }
};

/// Under the lock, in a transaction: the workers of `exp_id` in state "running" but worker
/// `self` (0: none), judged alive or dead with `lease` from `host` (worker_liveness.hpp).
[[nodiscard]] WorkerCensus take_census(SharedConnection& connection,
                                       const std::string& exp_id,
                                       Timestamp now,
                                       std::chrono::milliseconds lease,
                                       const std::string& host,
                                       std::int64_t self);

/// Under the lock, in a write transaction: marks `dead` workers "lost" (their claims are
/// free from now on).
void declare_lost(SharedConnection& connection,
                  const std::string& exp_id,
                  const std::vector<RunningWorker>& dead);

} // namespace mlosbench::detail
