#include "mlosbench/storage/sqlite_storage.hpp"

#include "mlosbench/storage/experiment_diff.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "storage/detail/sqlite_connection.hpp"
#include "storage/detail/sqlite_experiment.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <utility>

// Opening, attaching and deleting experiments; recording into one is SqliteExperiment's
// (detail/sqlite_experiment.cpp), the resume comparison experiment_diff's.
namespace mlosbench {
namespace {

using detail::in_quotes;
using detail::k_immediate;
using detail::Query;
using detail::SqliteConnection;
using Transaction = SQLite::Transaction;

using detail::describe_worker;
using detail::process_alive;
using detail::RunningWorker;

/// The parameter names of the configs the trials of experiment `id` ran.
std::set<std::string> recorded_parameter_names(SqliteConnection& impl, const std::string& id)
{
    std::set<std::string> names;
    Query query(impl.statement("SELECT DISTINCT param_id FROM config_param WHERE config_id IN "
                               "(SELECT config_id FROM trial WHERE exp_id = ?)"));
    query.bind(id);
    while (query.step()) {
        names.insert(query.column(0).getString());
    }
    return names;
}

std::map<std::string, TunableType> tunable_types(const TunableGroups& tunables)
{
    std::map<std::string, TunableType> types;
    for (const auto* t : tunables.tunables()) {
        types[t->name()] = t->type();
    }
    return types;
}

// Under the lock, in a write transaction: registers a worker of experiment `id`; its id.
std::int64_t
register_worker(SqliteConnection& impl, const std::string& id, const std::string& host, int pid)
{
    std::int64_t worker_id = 1;
    {
        Query query(impl.statement("SELECT MAX(worker_id) FROM experiment_worker WHERE "
                                   "exp_id = ?"));
        query.bind(id).step();
        if (!query.column(0).isNull()) {
            worker_id = query.column(0).getInt64() + 1;
        }
    }
    const std::string started = format_timestamp(now());
    Query(impl.statement("INSERT INTO experiment_worker (exp_id, worker_id, hostname, pid, "
                         "ts_start, ts_heartbeat, ts_end, state) VALUES (?, ?, ?, ?, ?, ?, NULL, "
                         "'running')"))
        .bind(id, worker_id, host, pid, started, started)
        .exec();
    return worker_id;
}

// Under the lock: whether experiment `id` has worker rows (files of schema version 3 and
// mlos_bench's have none; then the experiment row's driver_pid tells who drives it).
bool has_workers(SqliteConnection& impl, const std::string& id)
{
    Query query(impl.statement("SELECT 1 FROM experiment_worker WHERE exp_id = ? LIMIT 1"));
    return query.bind(id).step();
}

void store_definitions(SqliteConnection& impl,
                       const std::string& id,
                       const ExperimentSpec& spec,
                       const TunableGroups& tunables)
{
    Query(impl.statement("DELETE FROM objectives WHERE exp_id = ?")).bind(id).exec();
    for (const auto& objective : spec.objectives) {
        Query(impl.statement("INSERT INTO objectives (exp_id, optimization_target, "
                             "optimization_direction, weight) VALUES (?, ?, ?, NULL)"))
            .bind(id, objective.name, objective.direction)
            .exec();
    }
    Query(impl.statement("INSERT OR REPLACE INTO experiment_tunables (exp_id, tunables) "
                         "VALUES (?, ?)"))
        .bind(id, tunables.definitions_json().dump())
        .exec();
}

std::shared_ptr<SqliteConnection> connect(const std::string& path)
{
    try {
        return std::make_shared<SqliteConnection>(path);
    } catch (const SQLite::Exception& e) {
        throw Error("cannot open storage " + path + ": " + e.what());
    }
}

} // namespace

SqliteStorage::SqliteStorage(const std::string& path) : m_connection(connect(path)) {}

SqliteStorage::~SqliteStorage() = default;

std::string SqliteStorage::location() const { return m_connection->path; }

std::unique_ptr<ExperimentStorage> SqliteStorage::open_experiment(const ExperimentSpec& spec,
                                                                  const TunableGroups& tunables)
{
    const std::string& id = spec.experiment_id;
    const int pid = spec.driver_pid != 0 ? spec.driver_pid : static_cast<int>(::getpid());
    detail::WorkerContext worker;
    worker.host = spec.host.empty() ? detail::this_host_name() : spec.host;
    worker.lease_timeout = spec.lease_timeout;
    worker.first_trial_id = spec.first_trial_id;
    std::vector<std::string> warnings;
    // IMMEDIATE: creating the experiment (or finding it) and registering this worker happen
    // under the file's write lock, so two processes creating one experiment at once do it one
    // after the other: the second finds it made.
    const bool resumed = m_connection->locked("opening experiment " + in_quotes(id), [&] {
        SqliteConnection& impl = *m_connection;
        Transaction transaction(impl.db, k_immediate);
        std::optional<std::pair<std::string, std::optional<int>>> existing;
        {
            Query query(impl.statement("SELECT git_commit, driver_pid FROM experiment "
                                       "WHERE exp_id = ?"));
            if (query.bind(id).step()) {
                existing.emplace(query.column(0).getString(),
                                 query.column(1).isNull()
                                     ? std::nullopt
                                     : std::optional(query.column(1).getInt()));
            }
        }
        if (!existing) {
            Query(impl.statement(
                      "INSERT INTO experiment (exp_id, description, root_env_config, git_repo, "
                      "git_commit, ts_start, ts_end, status, driver_name, driver_pid) "
                      "VALUES (?, ?, ?, ?, ?, ?, NULL, 'RUNNING', ?, ?)"))
                .bind(id, spec.description, spec.root_env_config, spec.git_repo, spec.git_commit,
                      format_timestamp(now()), spec.driver_name, pid)
                .exec();
            store_definitions(impl, id, spec, tunables);
            worker.worker_id = register_worker(impl, id, worker.host, pid);
            transaction.commit();
            return false;
        }
        const auto& [stored_commit, driver] = *existing;
        if (has_workers(impl, id)) {
            detail::WorkerCensus census =
                detail::take_census(impl, id, now(), spec.lease_timeout, worker.host, 0);
            if (!spec.join) {
                // A worker of this very process that never finished (its ExperimentStorage
                // dropped, as a crash leaves it) is taken over like a dead one.
                const auto same_process = [&](const RunningWorker& w) {
                    return w.host == worker.host && w.pid == pid;
                };
                for (const auto& w : census.live) {
                    if (!same_process(w)) {
                        throw ConfigError("experiment " + in_quotes(id) + " is being run by " +
                                          describe_worker(w.host, w.pid) +
                                          " (use --join to work on it beside it)");
                    }
                }
                detail::declare_lost(impl, id, census.live);
            }
            detail::declare_lost(impl, id, census.dead);
            for (const auto& w : census.dead) {
                warnings.push_back("experiment " + in_quotes(id) + " was being run by " +
                                   describe_worker(w.host, w.pid) +
                                   ", which is gone or stopped renewing its lease: taking over "
                                   "its trials");
            }
        } else if (driver && *driver != pid) {
            // A driver of a file from before workers: its pid on this machine.
            if (!spec.join && process_alive(*driver)) {
                throw ConfigError("experiment " + in_quotes(id) + " is being run by process " +
                                  std::to_string(*driver));
            }
            warnings.push_back("experiment " + in_quotes(id) + " was being run by process " +
                               std::to_string(*driver) + ", which is gone: taking it over");
        }

        std::vector<Objective> stored_objectives;
        {
            Query query(impl.statement("SELECT optimization_target, optimization_direction "
                                       "FROM objectives WHERE exp_id = ? ORDER BY rowid"));
            query.bind(id);
            while (query.step()) {
                stored_objectives.push_back(
                    {query.column(0).getString(), query.column(1).getString()});
            }
        }
        std::optional<Json> stored_tunables;
        {
            Query query(
                impl.statement("SELECT tunables FROM experiment_tunables WHERE exp_id = ?"));
            if (query.bind(id).step()) {
                stored_tunables = Json::parse(query.column(0).getString(), nullptr, false);
            }
        }
        std::vector<std::string> diffs;
        if (stored_tunables && !stored_tunables->is_discarded()) {
            diffs = definition_differences(*stored_tunables, tunables.definitions_json());
        } else {
            // An experiment that mlos_bench made records no tunable definitions, only the
            // values of its configs: the names of those are what must match.
            diffs = name_differences(recorded_parameter_names(impl, id), tunables);
        }
        for (auto& d : objective_differences(stored_objectives, spec)) {
            diffs.push_back(std::move(d));
        }
        if (!diffs.empty()) {
            std::string list;
            for (const auto& d : diffs) {
                list += (list.empty() ? "" : "; ") + d;
            }
            if (!spec.force) {
                throw ConfigError("experiment " + in_quotes(id) + " differs from the stored one: " +
                                  list + "; use --force to resume it anyway");
            }
            warnings.push_back("experiment " + in_quotes(id) +
                               " differs from the stored one, resuming anyway (--force): " + list);
        }
        if (!diffs.empty() || !stored_tunables || stored_tunables->is_discarded()) {
            store_definitions(impl, id, spec, tunables);
        }
        if (stored_commit != spec.git_commit) {
            warnings.push_back("experiment " + in_quotes(id) + " was run at git commit '" +
                               stored_commit + "', now at '" + spec.git_commit + "'");
        }
        Query(impl.statement("UPDATE experiment SET status = 'RUNNING', ts_end = NULL, "
                             "ts_start = COALESCE(ts_start, ?), driver_name = ?, "
                             "driver_pid = ? WHERE exp_id = ?"))
            .bind(format_timestamp(now()), spec.driver_name, pid, id)
            .exec();
        worker.worker_id = register_worker(impl, id, worker.host, pid);
        transaction.commit();
        return true;
    });
    for (const auto& w : warnings) {
        spdlog::warn("{}", w);
    }
    spdlog::debug("{} experiment '{}' in {} as worker {}", resumed ? "resuming" : "new", id,
                  m_connection->path, worker.worker_id);
    return detail::make_sqlite_experiment(m_connection, id, resumed, std::move(worker),
                                          tunable_types(tunables));
}

std::unique_ptr<ExperimentStorage>
SqliteStorage::attach_experiment(const std::string& experiment_id)
{
    m_connection->locked("opening experiment " + in_quotes(experiment_id), [&] {
        Query query(m_connection->statement("SELECT 1 FROM experiment WHERE exp_id = ?"));
        if (!query.bind(experiment_id).step()) {
            throw ConfigError("there is no experiment " + in_quotes(experiment_id) + " in " +
                              m_connection->path);
        }
    });
    return detail::make_sqlite_experiment(m_connection, experiment_id, true,
                                          detail::WorkerContext{},
                                          std::map<std::string, TunableType>{});
}

DeletedRows SqliteStorage::delete_experiment(const std::string& experiment_id, bool dry_run)
{
    const std::string& id = experiment_id;
    return m_connection->locked("deleting experiment " + in_quotes(id), [&] {
        SqliteConnection& impl = *m_connection;
        Transaction transaction(impl.db, k_immediate);
        std::optional<int> driver;
        {
            Query query(impl.statement("SELECT driver_pid FROM experiment WHERE exp_id = ?"));
            if (!query.bind(id).step()) {
                throw ConfigError("there is no experiment " + in_quotes(id) + " in " + impl.path);
            }
            if (!query.column(0).isNull()) {
                driver = query.column(0).getInt();
            }
        }
        const int self = static_cast<int>(::getpid());
        const std::string host = detail::this_host_name();
        const auto refuse = [&](const std::string& who) {
            return ConfigError("experiment " + in_quotes(id) + " is being run by " + who +
                               ": stop it before deleting the experiment");
        };
        if (has_workers(impl, id)) {
            // Live with the default lease: a worker elsewhere that stopped less than a minute
            // ago may still be recording.
            const auto census =
                detail::take_census(impl, id, now(), ExperimentSpec{}.lease_timeout, host, 0);
            for (const auto& w : census.live) {
                if (w.host != host || w.pid != self) {
                    throw refuse(describe_worker(w.host, w.pid));
                }
            }
        } else if (driver && *driver != self && process_alive(*driver)) {
            throw refuse("process " + std::to_string(*driver));
        }
        // The configs only this experiment's trials use, found before its trials go.
        std::vector<std::int64_t> configs;
        {
            SQLite::Statement query(impl.db,
                                    "SELECT DISTINCT config_id FROM trial WHERE exp_id = ?1 AND "
                                    "config_id NOT IN (SELECT config_id FROM trial WHERE "
                                    "exp_id <> ?1)");
            query.bind(1, id);
            while (query.executeStep()) {
                configs.push_back(query.getColumn(0).getInt64());
            }
        }
        // Every table with an exp_id column, ours and mlos_bench's (and any added later), the
        // trial and experiment rows last so foreign keys hold at every step.
        std::vector<std::string> tables;
        bool has_trial = false;
        {
            SQLite::Statement query(impl.db,
                                    "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' "
                                    "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) "
                                    "WHERE name = 'exp_id') ORDER BY m.name");
            while (query.executeStep()) {
                const std::string name = query.getColumn(0).getString();
                if (name == "trial") {
                    has_trial = true;
                } else if (name != "experiment") {
                    tables.push_back(name);
                }
            }
        }
        if (has_trial) {
            tables.emplace_back("trial");
        }
        tables.emplace_back("experiment");
        DeletedRows deleted;
        for (const auto& table : tables) {
            SQLite::Statement del(impl.db,
                                  "DELETE FROM " + double_quote(table) + " WHERE exp_id = ?");
            del.bind(1, id);
            deleted.emplace_back(table, del.exec());
        }
        std::int64_t params = 0;
        std::int64_t config_rows = 0;
        for (const std::int64_t config_id : configs) {
            params += Query(impl.statement("DELETE FROM config_param WHERE config_id = ?"))
                          .bind(config_id)
                          .exec();
            config_rows += Query(impl.statement("DELETE FROM config WHERE config_id = ?"))
                               .bind(config_id)
                               .exec();
        }
        deleted.emplace_back("config", config_rows);
        deleted.emplace_back("config_param", params);
        std::sort(deleted.begin(), deleted.end());
        if (dry_run) {
            return deleted; // the transaction rolls back
        }
        transaction.commit();
        for (const std::int64_t config_id : configs) {
            impl.configs.erase(config_id);
        }
        return deleted;
    });
}

std::unique_ptr<Storage> open_sqlite_storage(const std::string& path)
{
    return std::make_unique<SqliteStorage>(path);
}

int create_update_sqlite_schema(const std::string& path) { return connect(path)->previous_version; }

} // namespace mlosbench
