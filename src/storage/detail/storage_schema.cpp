#include "storage_schema.hpp"

#include "mlosbench/storage/schema_version.hpp"
#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/util/error.hpp"

#include <algorithm>
#include <array>
#include <spdlog/spdlog.h>
#include <string_view>

namespace mlosbench::detail {
namespace {

// mlos_bench's tables (mlos_bench/storage/sql/schema.py at alembic head b61aa446e724) exactly
// as SQLAlchemy creates them: String(n) -> VARCHAR(n), Float -> FLOAT, table-level PRIMARY KEY
// / UNIQUE / FOREIGN KEY clauses, in this order. DateTime(timezone=True) is $TIMESTAMP and the
// autoincrement config_id $SERIAL, which dialect_ddl() spells per dialect.
constexpr std::array<std::string_view, 9> k_mlos_bench_tables = {
    R"(CREATE TABLE IF NOT EXISTS experiment (
    exp_id VARCHAR(512) NOT NULL,
    description VARCHAR(1024),
    root_env_config VARCHAR(1024) NOT NULL,
    git_repo VARCHAR(1024) NOT NULL,
    git_commit VARCHAR(40) NOT NULL,
    ts_start $TIMESTAMP,
    ts_end $TIMESTAMP,
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
    config_id $SERIAL NOT NULL,
    config_hash VARCHAR(64) NOT NULL,
    PRIMARY KEY (config_id),
    UNIQUE (config_hash)
))",
    R"(CREATE TABLE IF NOT EXISTS trial (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    config_id INTEGER NOT NULL,
    trial_runner_id INTEGER,
    ts_start $TIMESTAMP NOT NULL,
    ts_end $TIMESTAMP,
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
    ts $TIMESTAMP NOT NULL,
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
    ts $TIMESTAMP NOT NULL,
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
    {"experiment", "ts_start", "$TIMESTAMP"},
    {"experiment", "ts_end", "$TIMESTAMP"},
    {"experiment", "status", "VARCHAR(16)"},
    {"experiment", "driver_name", "VARCHAR(40)"},
    {"experiment", "driver_pid", "INTEGER"},
}};

// Ours. The index serves claim_trials (exp_id, status IN ...) and load_completed
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

// `sql` with $TIMESTAMP and $SERIAL spelled for the dialect: SQLAlchemy's SQLite dialect
// writes DATETIME and a plain INTEGER primary key (the rowid), its PostgreSQL dialect
// TIMESTAMP WITH TIME ZONE and SERIAL; $WITHOUT_ROWID is SQLite's clause for tables of ours.
std::string dialect_ddl(SqlConnection& db, std::string_view sql)
{
    const bool sqlite = db.dialect() == SqlDialect::sqlite;
    std::string out(sql);
    for (const auto& [token, spelling] :
         {std::pair{std::string_view("$TIMESTAMP"),
                    std::string_view(sqlite ? "DATETIME" : "TIMESTAMP WITH TIME ZONE")},
          std::pair{std::string_view("$SERIAL"), std::string_view(sqlite ? "INTEGER" : "SERIAL")},
          std::pair{std::string_view("$WITHOUT_ROWID"),
                    std::string_view(sqlite ? " WITHOUT ROWID" : "")}}) {
        for (auto at = out.find(token); at != std::string::npos; at = out.find(token, at)) {
            out.replace(at, token.size(), spelling);
            at += spelling.size();
        }
    }
    return out;
}

void exec_ddl(SqlConnection& db, std::string_view sql) { db.exec(dialect_ddl(db, sql)); }

// 0 -> 1: an empty database or one made by mlos_bench gets mlos_bench's tables at their
// newest revision, then ours.
void migrate_to_1(SqlConnection& db)
{
    for (auto sql : k_mlos_bench_tables) {
        exec_ddl(db, sql);
    }
    for (const auto& added : k_added_columns) {
        const auto columns = db.columns(std::string(added.table));
        if (std::find(columns.begin(), columns.end(), added.column) == columns.end()) {
            exec_ddl(db, "ALTER TABLE " + std::string(added.table) + " ADD COLUMN " +
                             std::string(added.column) + " " + std::string(added.type));
        }
    }
    if (db.dialect() == SqlDialect::postgresql) {
        // As SQLAlchemy writes the Column comments of these two.
        db.exec("COMMENT ON COLUMN experiment.driver_name IS 'Driver Host/Container Name'");
        db.exec("COMMENT ON COLUMN experiment.driver_pid IS 'Driver Process ID'");
    }
    for (auto sql : k_our_tables_v1) {
        exec_ddl(db, sql);
    }
}

// 1 -> 2: the metadata text `post-metric --metadata` attaches to a telemetry sample, in a table
// of its own so trial_telemetry stays exactly mlos_bench's.
void migrate_to_2(SqlConnection& db)
{
    exec_ddl(db, R"(CREATE TABLE IF NOT EXISTS trial_telemetry_metadata (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    ts $TIMESTAMP NOT NULL,
    metric_id VARCHAR(512) NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (exp_id, trial_id, ts, metric_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))");
}

// 2 -> 3: mlos_bench's alembic stamp at the revision whose tables and columns the database
// now has (its head, 0.6.2), so mlos_bench's storage API opens it without writing to it; an
// older revision from a database mlos_bench made is moved to head, as its upgrade would.
void migrate_to_3(SqlConnection& db)
{
    // As alembic creates it.
    db.exec("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
    db.exec("DELETE FROM alembic_version");
    Query(db.statement("INSERT INTO alembic_version (version_num) VALUES (?)"))
        .bind(k_mlos_bench_alembic_head)
        .exec();
}

// A table of ours written with every trial: on SQLite WITHOUT ROWID, one B-tree (a rowid
// table with a primary key is two), so a trial's transactions write fewer pages.
constexpr const char* k_trial_claim = R"(CREATE TABLE IF NOT EXISTS trial_claim (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    worker_id INTEGER NOT NULL,
    PRIMARY KEY (exp_id, trial_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
)$WITHOUT_ROWID)";
constexpr const char* k_trial_metric_latest = R"(CREATE TABLE IF NOT EXISTS trial_metric_latest (
    exp_id VARCHAR(512) NOT NULL,
    trial_id INTEGER NOT NULL,
    metric_id VARCHAR(512) NOT NULL,
    ts $TIMESTAMP NOT NULL,
    PRIMARY KEY (exp_id, trial_id, metric_id),
    FOREIGN KEY(exp_id, trial_id) REFERENCES trial (exp_id, trial_id)
))";

// 3 -> 4: workers (several processes on one experiment). Who works on it, with a heartbeat;
// which worker holds each trial; and, on PostgreSQL, when each metric of a trial was recorded
// last (what a cumulative post-metric adds to).
void migrate_to_4(SqlConnection& db)
{
    exec_ddl(db, R"(CREATE TABLE IF NOT EXISTS experiment_worker (
    exp_id VARCHAR(512) NOT NULL,
    worker_id INTEGER NOT NULL,
    hostname VARCHAR(255) NOT NULL,
    pid INTEGER NOT NULL,
    ts_start $TIMESTAMP NOT NULL,
    ts_heartbeat $TIMESTAMP NOT NULL,
    ts_end $TIMESTAMP,
    state VARCHAR(16) NOT NULL,
    PRIMARY KEY (exp_id, worker_id),
    FOREIGN KEY(exp_id) REFERENCES experiment (exp_id)
))");
    exec_ddl(db, k_trial_claim);
    // PostgreSQL only: SQLite's rowid already tells which row was recorded last. (A
    // PostgreSQL database is new at this version or mlos_bench's, whose samples have no
    // recorded order: the latest timed stands for them.)
    if (db.dialect() == SqlDialect::postgresql) {
        exec_ddl(db, k_trial_metric_latest);
    }
}

// 4 -> 5: the order of an experiment's objectives (the first is the one `show` ranks by),
// which the objectives table does not keep: PostgreSQL has no insertion order to read back.
// Filled from SQLite's rowid order; objectives without a position (mlos_bench's on
// PostgreSQL) come in mlos_bench's own order, by name. A SQLite file of version 4 also gets
// trial_claim rebuilt WITHOUT ROWID, and loses the trial_metric_latest that version 4 made
// there (the rowid tells the same, and keeping it cost a write per sample).
void migrate_to_5(SqlConnection& db)
{
    if (db.dialect() == SqlDialect::sqlite) {
        db.exec("DROP TABLE IF EXISTS trial_metric_latest");
        bool rowid_table = false;
        {
            Query query(db.statement("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                                     "name = 'trial_claim'"));
            rowid_table =
                query.step() && query.column(0).text().find("WITHOUT ROWID") == std::string::npos;
        }
        if (rowid_table) {
            db.exec("ALTER TABLE trial_claim RENAME TO trial_claim_v4");
            exec_ddl(db, k_trial_claim);
            db.exec("INSERT INTO trial_claim SELECT * FROM trial_claim_v4");
            db.exec("DROP TABLE trial_claim_v4");
        }
    }
    exec_ddl(db, R"(CREATE TABLE IF NOT EXISTS objective_position (
    exp_id VARCHAR(512) NOT NULL,
    optimization_target VARCHAR(512) NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (exp_id, optimization_target),
    FOREIGN KEY(exp_id) REFERENCES experiment (exp_id)
))");
    if (db.dialect() == SqlDialect::sqlite) {
        db.exec("INSERT OR IGNORE INTO objective_position (exp_id, optimization_target, "
                "position) SELECT exp_id, optimization_target, (SELECT COUNT(*) FROM objectives "
                "p WHERE p.exp_id = o.exp_id AND p.rowid < o.rowid) FROM objectives o");
    }
}

using Migration = void (*)(SqlConnection&);
// k_migrations[v] upgrades version v to v + 1.
constexpr std::array<Migration, k_schema_version> k_migrations = {
    &migrate_to_1, &migrate_to_2, &migrate_to_3, &migrate_to_4, &migrate_to_5};

} // namespace

int migrate_schema(SqlConnection& db, const std::function<void()>& recheck)
{
    const std::string& location = db.location();
    const auto check = [&](int version) {
        if (version > k_schema_version) {
            throw Error(location + ": storage schema version " + std::to_string(version) +
                        " is newer than this mlosbench supports (" +
                        std::to_string(k_schema_version) + "): upgrade mlosbench");
        }
    };
    const int found = db.schema_version();
    check(found);
    if (found == k_schema_version) {
        return found;
    }
    // One write transaction: two processes opening a new database at once upgrade it one
    // after the other; the second sees the first one's version and has nothing left to do.
    SqlTransaction transaction(db, SqlLock::write, "schema");
    // Again under the lock: the database was identified before this connection changed it,
    // but another process may have written it since.
    recheck();
    const int current = db.schema_version();
    check(current);
    for (int version = current; version < k_schema_version; ++version) {
        spdlog::debug("{}: upgrading the storage schema from version {} to {}", location, version,
                      version + 1);
        k_migrations.at(static_cast<std::size_t>(version))(db);
    }
    db.set_schema_version(k_schema_version);
    transaction.commit();
    return current;
}

} // namespace mlosbench::detail
