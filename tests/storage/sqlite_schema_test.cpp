#include "mlosbench/storage/sqlite_storage.hpp"
#include "mlosbench/util/error.hpp"
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace mlosbench {
namespace {

using testing::TempDir;

// name, declared type, NOT NULL, position in the primary key (0: none)
using Column = std::tuple<std::string, std::string, int, int>;

std::vector<Column> columns_of(SQLite::Database& db, const std::string& table)
{
    std::vector<Column> columns;
    SQLite::Statement query(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)");
    query.bind(1, table);
    while (query.executeStep()) {
        columns.emplace_back(query.getColumn(0).getString(), query.getColumn(1).getString(),
                             query.getColumn(2).getInt(), query.getColumn(3).getInt());
    }
    return columns;
}

// The columns of each UNIQUE index (constraints and primary keys) of a table, comma-joined.
std::vector<std::string> unique_keys(SQLite::Database& db, const std::string& table)
{
    std::vector<std::string> keys;
    SQLite::Statement indexes(db, "SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1 "
                                  "ORDER BY name");
    indexes.bind(1, table);
    while (indexes.executeStep()) {
        std::string key;
        SQLite::Statement cols(db, "SELECT name FROM pragma_index_info(?) ORDER BY seqno");
        cols.bind(1, indexes.getColumn(0).getString());
        while (cols.executeStep()) {
            key += (key.empty() ? "" : ",") + cols.getColumn(0).getString();
        }
        keys.push_back(key);
    }
    return keys;
}

TEST(SqliteSchema, HasMlosBenchTablesAndColumns)
{
    const TempDir dir;
    const std::string path = (dir.path() / "mlosbench.db").string();
    {
        (void)open_sqlite_storage(path);
    }

    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(columns_of(db, "experiment"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1},
                                   {"description", "VARCHAR(1024)", 0, 0},
                                   {"root_env_config", "VARCHAR(1024)", 1, 0},
                                   {"git_repo", "VARCHAR(1024)", 1, 0},
                                   {"git_commit", "VARCHAR(40)", 1, 0},
                                   {"ts_start", "DATETIME", 0, 0},
                                   {"ts_end", "DATETIME", 0, 0},
                                   {"status", "VARCHAR(16)", 0, 0},
                                   {"driver_name", "VARCHAR(40)", 0, 0},
                                   {"driver_pid", "INTEGER", 0, 0}}));
    EXPECT_EQ(columns_of(db, "objectives"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1},
                                   {"optimization_target", "VARCHAR(512)", 1, 2},
                                   {"optimization_direction", "VARCHAR(4)", 1, 0},
                                   {"weight", "FLOAT", 0, 0}}));
    EXPECT_EQ(columns_of(db, "config"),
              (std::vector<Column>{{"config_id", "INTEGER", 1, 1},
                                   {"config_hash", "VARCHAR(64)", 1, 0}}));
    EXPECT_EQ(columns_of(db, "trial"), (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1},
                                                            {"trial_id", "INTEGER", 1, 2},
                                                            {"config_id", "INTEGER", 1, 0},
                                                            {"trial_runner_id", "INTEGER", 0, 0},
                                                            {"ts_start", "DATETIME", 1, 0},
                                                            {"ts_end", "DATETIME", 0, 0},
                                                            {"status", "VARCHAR(16)", 1, 0}}));
    EXPECT_EQ(columns_of(db, "config_param"),
              (std::vector<Column>{{"config_id", "INTEGER", 1, 1},
                                   {"param_id", "VARCHAR(512)", 1, 2},
                                   {"param_value", "VARCHAR(1024)", 0, 0}}));
    EXPECT_EQ(columns_of(db, "trial_param"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1},
                                   {"trial_id", "INTEGER", 1, 2},
                                   {"param_id", "VARCHAR(512)", 1, 3},
                                   {"param_value", "VARCHAR(1024)", 0, 0}}));
    EXPECT_EQ(columns_of(db, "trial_status"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 0},
                                   {"trial_id", "INTEGER", 1, 0},
                                   {"ts", "DATETIME", 1, 0},
                                   {"status", "VARCHAR(16)", 1, 0}}));
    EXPECT_EQ(columns_of(db, "trial_result"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1},
                                   {"trial_id", "INTEGER", 1, 2},
                                   {"metric_id", "VARCHAR(512)", 1, 3},
                                   {"metric_value", "VARCHAR(255)", 0, 0}}));
    EXPECT_EQ(columns_of(db, "trial_telemetry"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 0},
                                   {"trial_id", "INTEGER", 1, 0},
                                   {"ts", "DATETIME", 1, 0},
                                   {"metric_id", "VARCHAR(512)", 1, 0},
                                   {"metric_value", "VARCHAR(255)", 0, 0}}));
    // Ours.
    EXPECT_EQ(columns_of(db, "experiment_tunables"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1}, {"tunables", "TEXT", 1, 0}}));
    EXPECT_EQ(columns_of(db, "trial_output"), (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1},
                                                                   {"trial_id", "INTEGER", 1, 2},
                                                                   {"stdout_tail", "TEXT", 0, 0},
                                                                   {"stderr_tail", "TEXT", 0, 0},
                                                                   {"reason", "TEXT", 0, 0}}));
    EXPECT_EQ(columns_of(db, "trial_telemetry_metadata"),
              (std::vector<Column>{{"exp_id", "VARCHAR(512)", 1, 1},
                                   {"trial_id", "INTEGER", 1, 2},
                                   {"ts", "DATETIME", 1, 3},
                                   {"metric_id", "VARCHAR(512)", 1, 4},
                                   {"metadata", "TEXT", 1, 0}}));

    EXPECT_EQ(unique_keys(db, "config"), std::vector<std::string>{"config_hash"});
    EXPECT_EQ(unique_keys(db, "trial_status"), std::vector<std::string>{"exp_id,trial_id,ts"});
    EXPECT_EQ(unique_keys(db, "trial_telemetry"),
              std::vector<std::string>{"exp_id,trial_id,ts,metric_id"});
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), k_sqlite_schema_version);
    EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
    // mlos_bench's own stamp, as alembic makes it, so its storage API need not write.
    EXPECT_EQ(columns_of(db, "alembic_version"),
              (std::vector<Column>{{"version_num", "VARCHAR(32)", 1, 1}}));
    EXPECT_EQ(db.execAndGet("SELECT group_concat(version_num) FROM alembic_version").getString(),
              "b61aa446e724");
}

TEST(SqliteSchema, CreateUpdateOnlyReportsTheVersionItFound)
{
    const TempDir dir;
    const std::string path = (dir.path() / "new.db").string();
    EXPECT_EQ(create_update_sqlite_schema(path), 0);
    EXPECT_EQ(create_update_sqlite_schema(path), k_sqlite_schema_version);
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM experiment").getInt(), 0);
}

TEST(SqliteSchema, UpgradesAFileOfAnOlderMlosBench)
{
    const TempDir dir;
    const std::string path = (dir.path() / "old.db").string();
    {
        // mlos_bench before alembic f83fb8ae7fc4: no trial_runner_id, no experiment status.
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE experiment (exp_id VARCHAR(512) NOT NULL, description "
                "VARCHAR(1024), root_env_config VARCHAR(1024) NOT NULL, git_repo VARCHAR(1024) "
                "NOT NULL, git_commit VARCHAR(40) NOT NULL, PRIMARY KEY (exp_id))");
        db.exec("CREATE TABLE trial (exp_id VARCHAR(512) NOT NULL, trial_id INTEGER NOT NULL, "
                "config_id INTEGER NOT NULL, ts_start DATETIME NOT NULL, ts_end DATETIME, "
                "status VARCHAR(16) NOT NULL, PRIMARY KEY (exp_id, trial_id))");
        db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT "
                "alembic_version_pkc PRIMARY KEY (version_num))");
        db.exec("INSERT INTO alembic_version VALUES ('d2a708351ba8')");
        db.exec("INSERT INTO experiment VALUES ('old', 'd', 'env.jsonc', '', '')");
        db.exec("INSERT INTO trial VALUES ('old', 7, 1, '2024-01-02 03:04:05.000000', NULL, "
                "'SUCCEEDED')");
    }
    EXPECT_EQ(create_update_sqlite_schema(path), 0);

    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(std::get<0>(columns_of(db, "trial").back()), "trial_runner_id");
    EXPECT_EQ(std::get<0>(columns_of(db, "experiment").back()), "driver_pid");
    EXPECT_EQ(db.execAndGet("SELECT trial_id FROM trial WHERE exp_id = 'old'").getInt(), 7);
    EXPECT_FALSE(columns_of(db, "trial_telemetry").empty());
    EXPECT_FALSE(columns_of(db, "trial_telemetry_metadata").empty());
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), k_sqlite_schema_version);
    // The columns it now has are those of mlos_bench's head revision.
    EXPECT_EQ(db.execAndGet("SELECT group_concat(version_num) FROM alembic_version").getString(),
              "b61aa446e724");
}

TEST(SqliteSchema, StampsAFileOfVersion2)
{
    const TempDir dir;
    const std::string path = (dir.path() / "v2.db").string();
    EXPECT_EQ(create_update_sqlite_schema(path), 0);
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE alembic_version");
        db.exec("PRAGMA user_version = 2");
    }
    EXPECT_EQ(create_update_sqlite_schema(path), 2);
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT group_concat(version_num) FROM alembic_version").getString(),
              "b61aa446e724");
}

// A file of version 3 (before workers) gets the worker tables; a cumulative post-metric adds
// to the sample recorded last (rowid), and the objectives keep the order they were written in.
TEST(SqliteSchema, UpgradesVersion3WithTheOrderOfItsRows)
{
    const TempDir dir;
    const std::string path = (dir.path() / "v3.db").string();
    EXPECT_EQ(create_update_sqlite_schema(path), 0);
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        for (const char* table : {"experiment_worker", "trial_claim", "objective_position"}) {
            db.exec(std::string("DROP TABLE ") + table);
        }
        db.exec("PRAGMA user_version = 3");
        db.exec("INSERT INTO experiment (exp_id, root_env_config, git_repo, git_commit) VALUES "
                "('e', 'env.jsonc', '', '')");
        db.exec("INSERT INTO objectives VALUES ('e', 'zeta', 'min', NULL), "
                "('e', 'alpha', 'max', NULL)");
        db.exec("INSERT INTO config (config_id, config_hash) VALUES (1, 'h')");
        db.exec("INSERT INTO trial VALUES ('e', 1, 1, NULL, '2024-01-01 00:00:00.000000', NULL, "
                "'RUNNING')");
        // Recorded later, timed earlier.
        db.exec("INSERT INTO trial_telemetry VALUES ('e', 1, '2024-01-01 00:00:09.000000', "
                "'ops', '5'), ('e', 1, '2024-01-01 00:00:01.000000', 'ops', '7')");
    }
    EXPECT_EQ(create_update_sqlite_schema(path), 3);
    const auto rows = [&](const std::string& sql) { return testing::sql_rows(path, sql); };
    EXPECT_EQ(rows("SELECT optimization_target, position FROM objective_position ORDER BY 2"),
              (std::vector<std::string>{"zeta|0", "alpha|1"}));
    EXPECT_EQ(rows("SELECT COUNT(*) FROM experiment_worker"), std::vector<std::string>{"0"});
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial_claim"), std::vector<std::string>{"0"});
    EXPECT_EQ(rows("SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name = "
                   "'trial_claim'"),
              std::vector<std::string>{"1"});
    auto exp = open_sqlite_storage(path)->attach_experiment("e");
    EXPECT_EQ(
        exp->post_telemetry(1, {now(), "ops", 1}, true, std::nullopt, PostTime::as_given).value, 8);
}

// Version 4 as it first was: trial_claim a rowid table, and a trial_metric_latest that SQLite
// does not need. Version 5 rebuilds the one WITHOUT ROWID, keeping its rows, and drops the other.
TEST(SqliteSchema, UpgradesVersion4RebuildingTheClaimsTable)
{
    const TempDir dir;
    const std::string path = (dir.path() / "v4.db").string();
    EXPECT_EQ(create_update_sqlite_schema(path), 0);
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE trial_claim");
        db.exec("DROP TABLE objective_position");
        db.exec("CREATE TABLE trial_claim (exp_id VARCHAR(512) NOT NULL, trial_id INTEGER NOT "
                "NULL, worker_id INTEGER NOT NULL, PRIMARY KEY (exp_id, trial_id))");
        db.exec("CREATE TABLE trial_metric_latest (exp_id VARCHAR(512) NOT NULL, trial_id "
                "INTEGER NOT NULL, metric_id VARCHAR(512) NOT NULL, ts DATETIME NOT NULL, "
                "PRIMARY KEY (exp_id, trial_id, metric_id))");
        db.exec("INSERT INTO trial_claim VALUES ('e', 1, 2), ('e', 2, 3)");
        db.exec("PRAGMA user_version = 4");
    }
    EXPECT_EQ(create_update_sqlite_schema(path), 4);
    const auto rows = [&](const std::string& sql) { return testing::sql_rows(path, sql); };
    EXPECT_EQ(rows("SELECT * FROM trial_claim ORDER BY trial_id"),
              (std::vector<std::string>{"e|1|2", "e|2|3"}));
    EXPECT_EQ(rows("SELECT name, sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name LIKE "
                   "'trial_%' AND type = 'table' AND name IN ('trial_claim', "
                   "'trial_metric_latest', 'trial_claim_v4')"),
              std::vector<std::string>{"trial_claim|1"});
}

// A SQLite file of someone else's that happens to have an `experiment` table (and a `trial`
// one) is refused before anything changes in it: same bytes, no -wal or -shm beside it.
TEST(SqliteSchema, LeavesAForeignFileAsItWas)
{
    const TempDir dir;
    struct Case
    {
        std::string name;
        std::vector<std::string> sql;
        std::string why;
    };
    const std::vector<Case> cases = {
        {"experiment-only.db",
         {"CREATE TABLE experiment (id INTEGER PRIMARY KEY, name TEXT)"},
         "table 'experiment' has no column 'exp_id'"},
        {"wal.db",
         {"PRAGMA journal_mode = WAL",
          "CREATE TABLE experiment (exp_id TEXT, description TEXT, root_env_config TEXT, "
          "git_repo TEXT, git_commit TEXT)",
          "CREATE TABLE trial (exp_id TEXT, trial_id INTEGER, config_id INTEGER, ts_start TEXT, "
          "ts_end TEXT, status TEXT)",
          "CREATE TABLE invoices (id INTEGER)"},
         "table 'invoices' is not one of mlosbench's or mlos_bench's"},
        {"versioned.db",
         {"PRAGMA user_version = 1",
          "CREATE TABLE experiment (exp_id TEXT, description TEXT, root_env_config TEXT, "
          "git_repo TEXT, git_commit TEXT)",
          "CREATE TABLE trial (exp_id TEXT, trial_id INTEGER, config_id INTEGER, ts_start TEXT, "
          "ts_end TEXT, status TEXT)"},
         "PRAGMA user_version is 1 but it has no table 'experiment_tunables'"},
    };
    for (const auto& c : cases) {
        const std::string path = (dir.path() / c.name).string();
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            for (const auto& sql : c.sql) {
                db.exec(sql);
            }
        }
        const std::string before = testing::read_file(path);
        for (const auto& open : std::vector<std::function<void()>>{
                 [&] { (void)open_sqlite_storage(path); },
                 [&] { (void)create_update_sqlite_schema(path); }}) {
            try {
                open();
                ADD_FAILURE() << c.name << ": expected a ConfigError";
            } catch (const ConfigError& e) {
                EXPECT_EQ(std::string(e.what()), path +
                                                     ": not an mlosbench or mlos_bench storage "
                                                     "file (" +
                                                     c.why + "): left as it was");
            }
        }
        EXPECT_EQ(testing::read_file(path), before) << c.name;
        EXPECT_FALSE(std::filesystem::exists(path + "-wal")) << c.name;
        EXPECT_FALSE(std::filesystem::exists(path + "-shm")) << c.name;
    }
}

TEST(SqliteSchema, RefusesAFileOfAnUnknownMlosBenchRevision)
{
    const TempDir dir;
    const std::string path = (dir.path() / "newer.db").string();
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE experiment (exp_id TEXT, description TEXT, root_env_config TEXT, "
                "git_repo TEXT, git_commit TEXT)");
        db.exec("CREATE TABLE trial (exp_id TEXT, trial_id INTEGER, config_id INTEGER, ts_start "
                "TEXT, ts_end TEXT, status TEXT)");
        db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)");
        db.exec("INSERT INTO alembic_version VALUES ('0123456789ab')");
    }
    const std::string before = testing::read_file(path);
    try {
        (void)open_sqlite_storage(path);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  path + ": made by an mlos_bench whose schema revision '0123456789ab' this "
                         "mlosbench does not know: left as it was");
    }
    EXPECT_EQ(testing::read_file(path), before);
}

TEST(SqliteSchema, UpgradesVersion1KeepingItsRows)
{
    const TempDir dir;
    const std::string path = (dir.path() / "v1.db").string();
    EXPECT_EQ(create_update_sqlite_schema(path), 0);
    {
        // What version 1 had: no trial_telemetry_metadata.
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE trial_telemetry_metadata");
        db.exec("INSERT INTO experiment (exp_id, root_env_config, git_repo, git_commit) VALUES "
                "('v1', 'env.jsonc', '', '')");
        db.exec("PRAGMA user_version = 1");
    }
    EXPECT_EQ(create_update_sqlite_schema(path), 1);
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(columns_of(db, "trial_telemetry_metadata").size(), 5U);
    EXPECT_EQ(db.execAndGet("SELECT exp_id FROM experiment").getString(), "v1");
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), k_sqlite_schema_version);
}

TEST(SqliteSchema, RefusesAFileOfANewerMlosbench)
{
    const TempDir dir;
    const std::string path = (dir.path() / "future.db").string();
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("PRAGMA user_version = 99");
    }
    try {
        (void)open_sqlite_storage(path);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  path + ": storage schema version 99 is newer than this mlosbench supports (" +
                      std::to_string(k_sqlite_schema_version) + "): upgrade mlosbench");
    }
}

TEST(SqliteSchema, RefusesAFileThatIsNotADatabase)
{
    const TempDir dir;
    const auto path = dir.write("notes.db", std::string(4096, 'x')).string();
    try {
        (void)open_sqlite_storage(path);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "cannot open storage " + path + ": file is not a database");
    }
}

} // namespace
} // namespace mlosbench
