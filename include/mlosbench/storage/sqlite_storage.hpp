#pragma once

#include "mlosbench/storage/storage.hpp"

#include <memory>
#include <string>

namespace mlosbench {

namespace detail {
struct SqliteConnection;
} // namespace detail

/// The schema version this build writes, kept in `PRAGMA user_version` (0: a file made by
/// mlos_bench or an empty one; opening upgrades it).
inline constexpr int k_sqlite_schema_version = 4;

/// Experiments kept in one SQLite file, with mlos_bench's tables and columns (docs/results.md)
/// so its tools read our files, plus ours:
/// - `experiment_tunables(exp_id, tunables)`: the tunable definitions as a tunable-params JSON
///   document (TunableGroups::definitions_json), compared on resume;
/// - `trial_output(exp_id, trial_id, stdout_tail, stderr_tail, reason)`: the last run's output
///   tails and failure reason (NULL or "" when there is none);
/// - `trial_telemetry_metadata(exp_id, trial_id, ts, metric_id, metadata)` (version 2): the
///   metadata text of a trial_telemetry row, when `post-metric --metadata` gave one;
/// - `alembic_version(version_num)` (version 3): mlos_bench's own stamp, at the revision its
///   tables match (k_mlos_bench_alembic_head), so its storage API opens our files read-only.
/// - `experiment_worker(exp_id, worker_id, hostname, pid, ts_start, ts_heartbeat, ts_end,
///   state)` (version 4): the processes that work on an experiment, numbered 1, 2, ... per
///   experiment; state "running", "finished" or "lost" (declared dead by another worker);
/// - `trial_claim(exp_id, trial_id, worker_id)` (version 4): the worker that holds each trial
///   (made it or claimed it); a claim counts while that worker is running and alive;
/// - `trial_metric_latest(exp_id, trial_id, metric_id, ts)` (version 4): the time of the
///   telemetry sample of each metric recorded last, which `post-metric --cumulative` adds to.
/// A file is identified before anything is written to it (identify_sqlite_file): only a new
/// (empty) file, one of ours or one made by mlos_bench is opened for writing.
/// Timestamps are UTC text `YYYY-MM-DD HH:MM:SS.ffffff`, statuses their names ("SUCCEEDED").
/// WAL mode and a busy timeout, so other processes (`post-metric`, other workers) may write
/// while an experiment runs; every write transaction is BEGIN IMMEDIATE, so trial ids and
/// claims are given out one process at a time. Heartbeats and leases use this machine's clock.
/// One connection, guarded by a mutex, shared by the experiments opened from it.
class SqliteStorage final : public Storage
{
public:
    /// Opens `path` (created if missing; ":memory:" for a private in-memory database) and
    /// creates or upgrades its schema. Throws Error when it cannot be opened, is not a
    /// database, or was written by a newer mlosbench; ConfigError naming it, before writing
    /// anything, when it is a SQLite file that is not a storage file.
    explicit SqliteStorage(const std::string& path);
    ~SqliteStorage() override;
    SqliteStorage(const SqliteStorage&) = delete;
    SqliteStorage& operator=(const SqliteStorage&) = delete;

    [[nodiscard]] std::unique_ptr<ExperimentStorage>
    open_experiment(const ExperimentSpec& spec, const TunableGroups& tunables) override;
    [[nodiscard]] std::unique_ptr<ExperimentStorage>
    attach_experiment(const std::string& experiment_id) override;
    [[nodiscard]] std::string location() const override;
    [[nodiscard]] DeletedRows delete_experiment(const std::string& experiment_id,
                                                bool dry_run) override;

private:
    // Shared with the experiments opened from here, which may outlive this object.
    std::shared_ptr<detail::SqliteConnection> m_connection;
};

/// See SqliteStorage::SqliteStorage.
[[nodiscard]] std::unique_ptr<Storage> open_sqlite_storage(const std::string& path);

/// `--create-update-storage-schema-only`: creates or upgrades the schema of `path` and
/// returns the version it had before (0 for a new file). Throws Error as above.
int create_update_sqlite_schema(const std::string& path);

} // namespace mlosbench
