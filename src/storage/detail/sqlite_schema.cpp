#include "sqlite_schema.hpp"

#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/storage/sqlite_storage.hpp"
#include "mlosbench/util/error.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <array>
#include <set>
#include <spdlog/spdlog.h>
#include <string_view>

namespace mlosbench::detail {
namespace {

// Long enough for a checkpoint or a slow disk under load; post-metric and the driver write
// small transactions, so a wait this long means something is stuck.
constexpr int k_busy_timeout_ms = 30000;

// mlos_bench's tables (mlos_bench/storage/sql/schema.py at alembic head b61aa446e724) exactly
// as SQLAlchemy's SQLite dialect creates them: String(n) -> VARCHAR(n), DateTime -> DATETIME,
// Float -> FLOAT, table-level PRIMARY KEY / UNIQUE / FOREIGN KEY clauses, in this order.
constexpr std::array<std::string_view, 9> k_mlos_bench_tables = {
    R"(CREATE TABLE IF NOT EXISTS experiment (
    exp_id VARCHAR(512) NOT NULL,
    description VARCHAR(1024),
    root_env_config VARCHAR(1024) NOT NULL,
    git_repo VARCHAR(1024) NOT NULL,
    git_commit VARCHAR(40) NOT NULL,
    ts_start DATETIME,
    ts_end DATETIME,
    status VARCHAR(16),
    driver_name VARCHAR(40),
    driver_pid INTEGER,
    PRIMARY KEY (exp_id)
))",
    R"(CREATE TABLE IF NOT EXISTS objectives (
    exp_id VARCHAR(512) NOT NULL,
    optimization_target VARCHAR(512) NOT NULL,
    optimization_direction VARCHAR(4) NOT NULL,
    weight FLOAT,
    PRIMARY KEY (exp_id, optimization_target),
    FOREIGN KEY(exp_id) REFERENCES experiment (exp_id)
))",
    R"(CREATE TABLE IF NOT EXISTS config (
    config_id INTEGER NOT NULL,
    config_hash VARCHAR(64) NOT NULL,
    PRIMARY KEY (config_id),
    UNIQUE (config_hash)
))",
    R"(CREATE TABLE IF NOT EXISTS trial (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    config_id INTEGER NOT NULL,
    trial_runner_id INTEGER,
    ts_start DATETIME NOT NULL,
    ts_end DATETIME,
    status VARCHAR(16) NOT NULL,
    PRIMARY KEY (exp_id, trial_id),
    FOREIGN KEY(exp_id) REFERENCES experiment (exp_id),
    FOREIGN KEY(config_id) REFERENCES config (config_id)
))",
    R"(CREATE TABLE IF NOT EXISTS config_param (
    config_id INTEGER NOT NULL,
    param_id VARCHAR(512) NOT NULL,
    param_value VARCHAR(1024),
    PRIMARY KEY (config_id, param_id),
    FOREIGN KEY(config_id) REFERENCES config (config_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_param (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    param_id VARCHAR(512) NOT NULL,
    param_value VARCHAR(1024),
    PRIMARY KEY (exp_id, trial_id, param_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_status (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    ts DATETIME NOT NULL,
    status VARCHAR(16) NOT NULL,
    UNIQUE (exp_id, trial_id, ts),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_result (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    metric_id VARCHAR(512) NOT NULL,
    metric_value VARCHAR(255),
    PRIMARY KEY (exp_id, trial_id, metric_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_telemetry (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    ts DATETIME NOT NULL,
    metric_id VARCHAR(512) NOT NULL,
    metric_value VARCHAR(255),
    UNIQUE (exp_id, trial_id, ts, metric_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))",
};

// Columns that older mlos_bench revisions lack (alembic f83fb8ae7fc4 and 8928a401115b): a
// file they made gets them, as `alembic upgrade` would add them.
struct AddedColumn
{
    std::string_view table;
    std::string_view column;
    std::string_view type;
};
constexpr std::array<AddedColumn, 6> k_added_columns = {{
    {"trial", "trial_runner_id", "INTEGER"},
    {"experiment", "ts_start", "DATETIME"},
    {"experiment", "ts_end", "DATETIME"},
    {"experiment", "status", "VARCHAR(16)"},
    {"experiment", "driver_name", "VARCHAR(40)"},
    {"experiment", "driver_pid", "INTEGER"},
}};

// Ours. The index serves pending_trials (exp_id, status IN ...) and load_completed
// (exp_id, status IN ..., trial_id > n) without scanning the experiment's trials.
constexpr std::array<std::string_view, 3> k_our_tables_v1 = {
    R"(CREATE TABLE IF NOT EXISTS experiment_tunables (
    exp_id VARCHAR(512) NOT NULL,
    tunables TEXT NOT NULL,
    PRIMARY KEY (exp_id),
    FOREIGN KEY(exp_id) REFERENCES experiment (exp_id)
))",
    R"(CREATE TABLE IF NOT EXISTS trial_output (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    stdout_tail TEXT,
    stderr_tail TEXT,
    reason TEXT,
    PRIMARY KEY (exp_id, trial_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))",
    "CREATE INDEX IF NOT EXISTS ix_trial_exp_id_status_trial_id "
    "ON trial (exp_id, status, trial_id)",
};

std::set<std::string> column_names(SQLite::Database& db, std::string_view table)
{
    std::set<std::string> names;
    SQLite::Statement query(db, "SELECT name FROM pragma_table_info(?)");
    query.bind(1, std::string(table));
    while (query.executeStep()) {
        names.insert(query.getColumn(0).getString());
    }
    return names;
}

// 0 -> 1: an empty file or one made by mlos_bench gets mlos_bench's tables at their newest
// revision, then ours.
void migrate_to_1(SQLite::Database& db)
{
    for (auto sql : k_mlos_bench_tables) {
        db.exec(std::string(sql));
    }
    for (const auto& added : k_added_columns) {
        if (!column_names(db, added.table).contains(std::string(added.column))) {
            db.exec("ALTER TABLE " + std::string(added.table) + " ADD COLUMN " +
                    std::string(added.column) + " " + std::string(added.type));
        }
    }
    for (auto sql : k_our_tables_v1) {
        db.exec(std::string(sql));
    }
}

// 1 -> 2: the metadata text `post-metric --metadata` attaches to a telemetry sample, in a table
// of its own so trial_telemetry stays exactly mlos_bench's.
void migrate_to_2(SQLite::Database& db)
{
    db.exec(R"(CREATE TABLE IF NOT EXISTS trial_telemetry_metadata (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    ts DATETIME NOT NULL,
    metric_id VARCHAR(512) NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (exp_id, trial_id, ts, metric_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))");
}

// 2 -> 3: mlos_bench's alembic stamp at the revision whose tables and columns the file now
// has (its head, 0.6.2), so mlos_bench's storage API opens the file without writing to it;
// an older revision from a file mlos_bench made is moved to head, as its upgrade would.
void migrate_to_3(SQLite::Database& db)
{
    // As alembic creates it.
    db.exec("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
    db.exec("DELETE FROM alembic_version");
    SQLite::Statement insert(db, "INSERT INTO alembic_version (version_num) VALUES (?)");
    insert.bind(1, k_mlos_bench_alembic_head);
    insert.exec();
}

// 3 -> 4: workers (several processes on one experiment). Who works on it, with a heartbeat;
// which worker holds each trial; and when each metric of a trial was recorded last (what a
// cumulative post-metric adds to), filled here from the insertion order of the rows.
void migrate_to_4(SQLite::Database& db)
{
    db.exec(R"(CREATE TABLE IF NOT EXISTS experiment_worker (
    exp_id VARCHAR(512) NOT NULL,
    worker_id INTEGER NOT NULL,
    hostname VARCHAR(255) NOT NULL,
    pid INTEGER NOT NULL,
    ts_start DATETIME NOT NULL,
    ts_heartbeat DATETIME NOT NULL,
    ts_end DATETIME,
    state VARCHAR(16) NOT NULL,
    PRIMARY KEY (exp_id, worker_id),
    FOREIGN KEY(exp_id) REFERENCES experiment (exp_id)
))");
    db.exec(R"(CREATE TABLE IF NOT EXISTS trial_claim (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    worker_id INTEGER NOT NULL,
    PRIMARY KEY (exp_id, trial_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))");
    db.exec(R"(CREATE TABLE IF NOT EXISTS trial_metric_latest (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    metric_id VARCHAR(512) NOT NULL,
    ts DATETIME NOT NULL,
    PRIMARY KEY (exp_id, trial_id, metric_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))");
    // SQLite gives a new row max(rowid) + 1: the highest rowid is the row recorded last, and
    // a bare column beside MAX() comes from that row.
    db.exec("INSERT OR IGNORE INTO trial_metric_latest (exp_id, trial_id, metric_id, ts) "
            "SELECT exp_id, trial_id, metric_id, ts FROM (SELECT exp_id, trial_id, metric_id, "
            "ts, MAX(rowid) FROM trial_telemetry GROUP BY exp_id, trial_id, metric_id)");
}

using Migration = void (*)(SQLite::Database&);
// k_migrations[v] upgrades version v to v + 1.
constexpr std::array<Migration, k_sqlite_schema_version> k_migrations = {
    &migrate_to_1, &migrate_to_2, &migrate_to_3, &migrate_to_4};

} // namespace

void configure_connection(SQLite::Database& db, bool in_memory)
{
    db.setBusyTimeout(k_busy_timeout_ms);
    if (!in_memory) {
        // Persistent in the file; readers never block the writer and vice versa.
        const std::string mode = db.execAndGet("PRAGMA journal_mode=WAL").getString();
        if (mode != "wal") {
            spdlog::warn("{}: SQLite journal mode is '{}', not WAL", db.getFilename(), mode);
        }
    }
    // With WAL, NORMAL syncs at checkpoints only: a commit survives a crash of the process
    // (kill -9), though not necessarily a power loss.
    db.exec("PRAGMA synchronous=NORMAL");
}

int schema_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void require_writable_schema(const SqliteFileIdentity& identity, const std::string& location)
{
    if (identity.kind == SqliteFileKind::foreign) {
        throw ConfigError(location, "",
                          "not an mlosbench or mlos_bench storage file (" + identity.mismatch +
                              "): left as it was");
    }
    if (identity.kind == SqliteFileKind::mlos_bench && !identity.alembic_revision.empty() &&
        !is_known_alembic_revision(identity.alembic_revision)) {
        throw ConfigError(location, "",
                          "made by an mlos_bench whose schema revision '" +
                              identity.alembic_revision +
                              "' this mlosbench does not know: left as it was");
    }
}

int migrate_schema(SQLite::Database& db, const std::string& location)
{
    const auto check = [&](int version) {
        if (version > k_sqlite_schema_version) {
            throw Error(location + ": storage schema version " + std::to_string(version) +
                        " is newer than this mlosbench supports (" +
                        std::to_string(k_sqlite_schema_version) + "): upgrade mlosbench");
        }
    };
    const int found = schema_version(db);
    check(found);
    if (found == k_sqlite_schema_version) {
        return found;
    }
    // IMMEDIATE: two processes opening a new file at once upgrade it one after the other;
    // the second sees the first one's version and has nothing left to do.
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Again under the lock: the file was identified before this connection changed it, but
    // another process may have written it since.
    require_writable_schema(identify_sqlite_file(db), location);
    const int current = schema_version(db);
    check(current);
    for (int version = current; version < k_sqlite_schema_version; ++version) {
        spdlog::debug("{}: upgrading the storage schema from version {} to {}", location, version,
                      version + 1);
        k_migrations.at(static_cast<std::size_t>(version))(db);
    }
    db.exec("PRAGMA user_version = " + std::to_string(k_sqlite_schema_version));
    transaction.commit();
    return current;
}

} // namespace mlosbench::detail
