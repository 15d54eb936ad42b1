// The built binary on a PostgreSQL storage (the test server): run, show, export, delete
// through `--storage postgresql://...`; a storage config with drivername postgresql and the
// password from a globals file, whose trials post telemetry through MLOSBENCH_STORAGE; and
// the password shown nowhere.
#include "support/postgres_server.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mlosbench {
namespace {

using testing::e2e_config;
using testing::PostgresServer;
using testing::run_mlosbench;
using testing::TempDir;

PostgresServer& server() { return PostgresServer::shared(); }

void expect_no_password(const testing::CommandResult& r)
{
    EXPECT_EQ(r.out.find(PostgresServer::password()), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(PostgresServer::password()), std::string::npos) << r.err;
}

TEST(Postgres, RunShowExportDeleteThroughAUrl)
{
    const TempDir dir;
    const std::string db = server().create_database();
    const std::string url = server().url_with_password(db);
    auto r =
        run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                       e2e_config("mock_opt.jsonc"), "--storage", url, "--experiment-id", "pg1"},
                      dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_password(r);
    EXPECT_NE(r.out.find(server().url(db)), std::string::npos) << r.out;
    EXPECT_EQ(server().rows(db, "SELECT COUNT(*) FROM trial WHERE status = 'SUCCEEDED'"),
              std::vector<std::string>{"5"});

    r = run_mlosbench({"show", "--storage", url}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("pg1"), std::string::npos) << r.out;
    r = run_mlosbench({"show", "pg1", "--json", "--storage", url}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["trials"].size(), 5U);
    EXPECT_EQ(doc["trials"][0]["status"], "SUCCEEDED");
    EXPECT_EQ(
        doc["trials"][0]["ts_start"],
        server().rows(db, "SELECT to_char(ts_start AT TIME ZONE 'UTC', "
                          "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM trial WHERE trial_id = 1")[0]);
    ASSERT_EQ(doc["workers"].size(), 1U);
    EXPECT_EQ(doc["workers"][0]["state"], "finished");
    EXPECT_EQ(doc["workers"][0]["host"], testing::host_name());

    r = run_mlosbench({"export", "pg1", "--format", "csv", "-o", "pg1.csv", "--storage", url},
                      dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string csv = testing::read_file(dir.path() / "pg1.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6) << csv;
    EXPECT_EQ(csv.rfind("trial_id,", 0), 0U) << csv;

    r = run_mlosbench({"delete", "pg1", "--yes", "--storage", url}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("deleted experiment 'pg1': ", 0), 0U) << r.out;
    EXPECT_EQ(server().rows(db, "SELECT COUNT(*) FROM trial"), std::vector<std::string>{"0"});
    r = run_mlosbench({"show", "pg1", "--storage", url}, dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown experiment 'pg1'\n");
}

TEST(Postgres, AStorageConfigWithThePasswordInGlobalsReachesTheTrialsPostMetric)
{
    const TempDir dir;
    const std::string db = server().create_database();
    dir.write("storage/pg.jsonc", R"({
        "class": "mlos_bench.storage.sql.storage.SqlStorage",
        "config": {
            "drivername": "postgresql",
            "host": "127.0.0.1",
            "port": )" + std::to_string(server().port()) +
                                      R"(,
            "database": ")" + db + R"(",
            "username": "mlosbench",
            "password": "PLACEHOLDER: comes from the globals"
        }
    })");
    // As in mlos_bench: a global of the same name overrides the config's value.
    dir.write("secrets.jsonc", R"({"password": ")" + PostgresServer::password() + R"("})");
    const std::vector<std::string> args = {"--storage",       "storage/pg.jsonc",
                                           "--globals",       "secrets.jsonc",
                                           "--environment",   e2e_config("telemetry_env.jsonc"),
                                           "--mlosbench_bin", testing::mlosbench_binary(),
                                           "--posters",       "1",
                                           "--posts",         "2",
                                           "--experiment-id", "tel"};
    std::vector<std::string> validate = {"validate"};
    validate.insert(validate.end(), args.begin(), args.end());
    auto r = run_mlosbench(validate, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_no_password(r);
    EXPECT_NE(r.out.find("storage postgresql " + server().url(db) + "\n"), std::string::npos)
        << r.out;

    r = run_mlosbench(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    expect_no_password(r);
    EXPECT_EQ(server().rows(db, "SELECT metric_id, COUNT(*), MAX(CAST(metric_value AS FLOAT)) "
                                "FROM trial_telemetry GROUP BY metric_id ORDER BY metric_id"),
              (std::vector<std::string>{"bytes|2|150", "loss|2|0.5", "ticks|2|2"}));
    EXPECT_EQ(server().rows(db, "SELECT metadata FROM trial_telemetry_metadata ORDER BY ts"),
              (std::vector<std::string>{"epoch 1", "epoch 2"}));
    // The password is in no table.
    for (const char* table : {"experiment", "trial_param", "config_param"}) {
        for (const auto& row : server().rows(db, std::string("SELECT * FROM ") + table)) {
            EXPECT_EQ(row.find(PostgresServer::password()), std::string::npos) << table;
        }
    }
}

} // namespace
} // namespace mlosbench
