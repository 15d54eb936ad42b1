#pragma once

#include "mlosbench/config/status.hpp"
#include "mlosbench/config/telemetry.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/time.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// One optimization target of an experiment.
struct Objective
{
    std::string name;
    std::string direction; ///< "min" or "max"
};

/// What identifies an experiment when it is created or resumed.
struct ExperimentSpec
{
    std::string experiment_id;
    std::string description;     ///< the root environment's name
    std::string root_env_config; ///< path of the root environment config
    std::string git_repo;        ///< "" when not in a git repository
    std::string git_commit;      ///< "" when not in a git repository
    std::vector<Objective> objectives;
    std::int64_t first_trial_id = 1; ///< id of the first trial of a new experiment
    std::string driver_name = "mlosbench";
    int driver_pid = 0; ///< 0: this process
    /// Resume even when the stored tunables or objectives differ from these.
    bool force = false;
    /// `--join`: work on the experiment beside the other live workers (creating it when it
    /// does not exist yet, even when another joiner creates it at the same moment) instead of
    /// refusing while one lives.
    bool join = false;
    /// How long a worker's claims hold without a heartbeat (`--lease-timeout`). A worker on
    /// this host whose pid is gone loses them at once.
    std::chrono::milliseconds lease_timeout{60'000};
    std::string host; ///< this worker's host name ("": gethostname)
};

/// A process working on an experiment: its driver, or one of the `--join` workers.
struct WorkerRecord
{
    std::int64_t worker_id = 0; ///< 1, 2, ... in the order they registered
    std::string host;
    int pid = 0;
    Timestamp ts_start{};
    Timestamp ts_heartbeat{};
    std::optional<Timestamp> ts_end;
    /// "running"; "finished" (ended by finish()); "lost" (declared dead by another worker,
    /// its claims taken; a lost worker that heartbeats again is "running" again).
    std::string state;
};

/// How many trials an experiment has, across every worker and run.
struct TrialCounts
{
    std::int64_t total = 0;    ///< every trial id given out
    std::int64_t finished = 0; ///< SUCCEEDED, FAILED or TIMED_OUT
    /// The lowest id of a trial not finished, whoever holds it (INT64_MAX: none).
    std::int64_t oldest_unfinished = std::numeric_limits<std::int64_t>::max();
    /// The highest trial id given out (0: none). Trials made after the count have higher
    /// ids, unfinished or not, which oldest_unfinished cannot know of.
    std::int64_t last_id = 0;
};

/// Thrown when recording into a trial that another worker took over (this worker's lease
/// lapsed): the record is refused, the other worker's run stands.
class LeaseLost : public Error
{
public:
    using Error::Error;
};

/// A trial as stored.
struct TrialRecord
{
    std::int64_t trial_id = 0;
    std::int64_t config_id = 0;
    std::optional<int> runner_id;
    Status status = Status::pending;
    Timestamp ts_start{};
    std::optional<Timestamp> ts_end;
    TunableValues config;
    Json metadata = Json::object(); ///< trial_param rows: name -> value
};

/// A finished trial as the optimizer sees it.
struct CompletedTrial
{
    std::int64_t trial_id = 0;
    std::int64_t config_id = 0;
    TunableValues config;
    Status status = Status::unknown;
    Json results = Json::object(); ///< metric -> value; empty unless SUCCEEDED
};

/// Where a posted sample's time comes from (ExperimentStorage::post_telemetry).
enum class PostTime
{
    as_given,      ///< the sample's own time (`post-metric --time`)
    when_recorded, ///< the time the sample is recorded, taken under the storage's write lock
};

/// The records of one experiment, as one worker sees them. Thread-safe: trial runners record
/// concurrently. Every method that changes state does it in one transaction, so a crash loses
/// nothing that was recorded. Errors of the database throw Error (after retrying a lost
/// connection for a bounded time); an unknown trial id ConfigError; a change to a trial that
/// already ended SUCCEEDED, FAILED or TIMED_OUT Error.
///
/// Workers: opening an experiment registers this process as a worker. Each unfinished trial
/// is claimed by at most one worker, which alone may record into it (LeaseLost otherwise).
/// A claim holds while its worker is alive: it heartbeats within the lease timeout and, on
/// this host, its pid exists. The database's transactions give out trial ids and claims, so
/// no trial runs twice at once and none is skipped, however many workers there are.
class ExperimentStorage
{
public:
    virtual ~ExperimentStorage() = default;

    [[nodiscard]] virtual const std::string& experiment_id() const = 0;
    /// True when the experiment existed before this run (a resume).
    [[nodiscard]] virtual bool resumed() const = 0;

    /// This process's worker id in the experiment.
    [[nodiscard]] virtual std::int64_t worker_id() const = 0;

    /// Queues a new PENDING trial for `config` (configs are deduplicated by a hash of
    /// `config_text`, see TunableGroups::canonical_text) with its metadata rows, under the
    /// next trial id of the experiment, claimed by this worker. With `max_total` > 0 nothing
    /// is made (nullopt) once the experiment has that many trials (`--total-trials`).
    virtual std::optional<TrialRecord> new_trial(const TunableValues& config,
                                                 const std::string& config_text,
                                                 const Json& metadata, Timestamp ts_start,
                                                 std::int64_t max_total = 0) = 0;
    /// Claims for this worker, and returns by id, the unfinished trials (PENDING, READY,
    /// RUNNING, CANCELED) that no live worker holds: never claimed, claimed by a worker that
    /// finished, or by one that is dead (declared "lost" here). Trials this worker already
    /// holds are not returned again.
    [[nodiscard]] virtual std::vector<TrialRecord> claim_trials() = 0;
    /// Renews this worker's lease. False when another worker had declared it lost (its claims
    /// are gone; it is "running" again from now).
    virtual bool heartbeat() = 0;
    /// Unfinished trials that other live workers hold, by id (their configs are in flight).
    [[nodiscard]] virtual std::vector<TrialRecord> others_in_flight() = 0;
    /// Trial counts of the whole experiment.
    [[nodiscard]] virtual TrialCounts trial_counts() = 0;
    virtual void assign_runner(std::int64_t trial_id, int runner_id) = 0;
    /// Records a status change: a status-history row, the trial row's status, and for a
    /// completed status ts_end and the results (metric -> value object). LeaseLost when
    /// another worker holds the trial (as assign_runner, add_telemetry and save_trial_output).
    virtual void update_trial(std::int64_t trial_id, Status status, Timestamp ts,
                              const Json& results = Json::object()) = 0;
    /// Records telemetry samples; a sample whose (time, metric) collides with a stored one
    /// moves by one microsecond.
    virtual void add_telemetry(std::int64_t trial_id,
                               const std::vector<TelemetrySample>& samples) = 0;
    /// Records one sample posted from a trial's script (`post-metric`), with `metadata` text
    /// when given. With `cumulative` the stored value is sample.value plus the value of the
    /// metric recorded last in this trial (0 when none; last recorded, whatever the samples'
    /// times), read and written in one transaction so concurrent posters add up. With
    /// PostTime::when_recorded the sample's time is ignored and the time is taken inside that
    /// transaction, so that posters racing without a time of their own are stored in time
    /// order too (the latest sample is then the sum). A colliding time moves by 1 us, as in
    /// add_telemetry.
    /// Returns the sample as stored (time and value). ConfigError for an unknown trial, Error
    /// when the previous value of a cumulative metric is not a number.
    virtual TelemetrySample post_telemetry(std::int64_t trial_id,
                                           const TelemetrySample& sample,
                                           bool cumulative,
                                           const std::optional<std::string>& metadata,
                                           PostTime when) = 0;
    /// Keeps the (size-capped) output tails and the failure reason of a trial's last run.
    virtual void save_trial_output(std::int64_t trial_id, const std::string& stdout_tail,
                                   const std::string& stderr_tail, const std::string& reason) = 0;
    /// Completed trials (SUCCEEDED, FAILED, TIMED_OUT) with id > `after_trial_id`, by id.
    [[nodiscard]] virtual std::vector<CompletedTrial> load_completed(std::int64_t after_trial_id) = 0;
    /// The tunable values of a stored config; ConfigError when there is no such config.
    [[nodiscard]] virtual TunableValues load_config(std::int64_t config_id) = 0;
    /// Ends this worker ("finished"), releasing its claims, and, when no other worker is
    /// live, marks the experiment finished (status, ts_end) and releases the driver pid.
    virtual void finish(Status status, Timestamp ts_end) = 0;
};

/// Rows that deleting an experiment removed (or would remove), by table, tables in name order.
using DeletedRows = std::vector<std::pair<std::string, std::int64_t>>;

/// A place that keeps experiments.
class Storage
{
public:
    virtual ~Storage() = default;
    /// Creates the experiment, or resumes it when it exists: checks that `tunables` and the
    /// objectives match the stored ones (for an experiment mlos_bench made, which stores no
    /// tunable definitions, the tunables' names against its configs' parameter names;
    /// ConfigError naming the difference, unless spec.force), and registers this process as a
    /// worker. Without spec.join no other worker may be live (ConfigError naming its host and
    /// pid; a dead one is declared lost with a warning and its claims are free).
    [[nodiscard]] virtual std::unique_ptr<ExperimentStorage>
    open_experiment(const ExperimentSpec& spec, const TunableGroups& tunables) = 0;
    /// Opens an existing experiment to record into it from another process than its driver
    /// (`post-metric` inside a trial's script): no checks, no worker (worker_id() 0, no
    /// lease checks); do not finish() it, nor claim or make trials. Tunable values load back as numbers or text. ConfigError when it does not exist;
    /// Error from storages that cannot (the default).
    [[nodiscard]] virtual std::unique_ptr<ExperimentStorage>
    attach_experiment(const std::string& experiment_id);
    /// Deletes an experiment with every row that names it (trials, status history, results,
    /// telemetry, metadata, output, objectives, tunables) and the configs that no other
    /// experiment's trial uses, in one transaction; with `dry_run` it rolls back, counting
    /// only. ConfigError for an unknown experiment or one whose driver process is alive;
    /// Error from storages that cannot (the default).
    [[nodiscard]] virtual DeletedRows delete_experiment(const std::string& experiment_id,
                                                        bool dry_run);
    /// Where it is, for the run summary (a file path for SQLite).
    [[nodiscard]] virtual std::string location() const = 0;
};

} // namespace mlosbench
