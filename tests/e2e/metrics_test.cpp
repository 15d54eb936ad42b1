// `mlosbench post-metric`, `metrics` and `delete` end to end: trials whose scripts post
// telemetry (4 at once), the tables and JSON checked against the SQLite rows; deleting one of
// two experiments that share a config.
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

constexpr int k_runners = 4;
constexpr int k_posters = 2; // concurrent post-metric loops per trial
constexpr int k_posts = 5;   // posts per loop

// A stored timestamp ("2025-01-01 00:00:20.000003") as metrics prints it.
std::string iso(std::string stored)
{
    stored[10] = 'T';
    return stored + "Z";
}

std::string text(const nlohmann::json& value)
{
    return value.is_string() ? value.get<std::string>()
                             : (value.is_null() ? std::string("<null>") : value.dump());
}

// Four trials at once (4 runners), each posting telemetry from its script.
class Metrics : public SharedStorageTest
{
protected:
    static void SetUpTestSuite()
    {
        open_storage("t.db");
        const auto r = run_mlosbench({"--environment", e2e_config("telemetry_env.jsonc"),
                                      "--trial-config-repeat-count", std::to_string(k_runners),
                                      "--num-trial-runners", std::to_string(k_runners), "--storage",
                                      s_db.string(), "--experiment-id", "tel", "--mlosbench_bin",
                                      MLOSBENCH_BINARY, "--posters", std::to_string(k_posters),
                                      "--posts", std::to_string(k_posts)},
                                     s_dir->path());
        ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    }
};

} // namespace

TEST_F(Metrics, PostMetricFromFourRunnersAtOnceLosesNoSample)
{
    EXPECT_EQ(
        sql_rows(s_db, "SELECT COUNT(*), COUNT(DISTINCT trial_runner_id) FROM trial WHERE "
                       "status = 'SUCCEEDED'"),
        std::vector<std::string>{std::to_string(k_runners) + "|" + std::to_string(k_runners)});
    constexpr int ticks = k_posters * k_posts;
    for (int trial = 1; trial <= k_runners; ++trial) {
        const std::string where =
            " FROM trial_telemetry WHERE trial_id = " + std::to_string(trial) +
            " AND metric_id = 'ticks'";
        // Every cumulative +1 kept under its own time, the running sums 1..ticks.
        EXPECT_EQ(sql_rows(s_db, "SELECT COUNT(*), COUNT(DISTINCT ts), MIN(CAST(metric_value AS "
                                 "INTEGER)), MAX(CAST(metric_value AS INTEGER))" +
                                     where),
                  std::vector<std::string>{std::to_string(ticks) + "|" + std::to_string(ticks) +
                                           "|1|" + std::to_string(ticks)})
            << "trial " << trial;
        EXPECT_EQ(sql_rows(s_db, "SELECT ts, metric_value FROM trial_telemetry WHERE trial_id = " +
                                     std::to_string(trial) +
                                     " AND metric_id IN ('loss', 'bytes') ORDER BY metric_id, ts"),
                  (std::vector<std::string>{
                      "2025-01-01 00:00:00.000000|100", "2025-01-01 00:00:10.500000|150",
                      "2025-01-01 00:00:00.000000|0.5", "2025-01-01 00:00:10.000000|0.25"}));
    }
    EXPECT_EQ(sql_rows(s_db, "SELECT metric_id, ts, metadata FROM trial_telemetry_metadata WHERE "
                             "trial_id = 2 ORDER BY ts"),
              (std::vector<std::string>{"loss|2025-01-01 00:00:00.000000|epoch 1",
                                        "loss|2025-01-01 00:00:10.000000|epoch 2"}));
}

TEST_F(Metrics, TableAndJsonMatchTheStoredRows)
{
    const auto j = mlosbench({"metrics", "tel", "--json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    std::vector<std::string> got;
    for (const auto& row : doc) {
        got.push_back(text(row["trial_id"]) + "|" + text(row["ts"]) + "|" + text(row["metric"]) +
                      "|" + text(row["value"]) + "|" + text(row["source"]) + "|" +
                      text(row["metadata"]));
    }
    // The same, straight from the tables: telemetry then the trial's results at its end.
    std::vector<std::string> want;
    SQLite::Database db(s_db.string(), SQLite::OPEN_READONLY);
    SQLite::Statement query(
        db, "SELECT trial_id, ts, metric_id, metric_value, 0 AS source, metadata FROM "
            "trial_telemetry LEFT JOIN trial_telemetry_metadata USING (exp_id, trial_id, ts, "
            "metric_id) UNION ALL SELECT trial_id, ts_end, metric_id, metric_value, 1, NULL "
            "FROM trial_result JOIN trial USING (exp_id, trial_id) ORDER BY trial_id, metric_id, "
            "source, ts");
    while (query.executeStep()) {
        want.push_back(query.getColumn(0).getString() + "|" + iso(query.getColumn(1).getString()) +
                       "|" + query.getColumn(2).getString() + "|" + query.getColumn(3).getString() +
                       "|" + (query.getColumn(4).getInt() == 0 ? "telemetry" : "result") + "|" +
                       (query.getColumn(5).isNull() ? "<null>" : query.getColumn(5).getString()));
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(want.size(), static_cast<std::size_t>(k_runners * (4 + k_posters * k_posts + 1)));

    // The table of trial 1: one line per sample.
    const auto r = mlosbench({"metrics", "tel", "--trial", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    std::string header;
    std::getline(lines, header);
    EXPECT_TRUE(std::regex_match(header, std::regex("TRIAL +TS +METRIC +VALUE +SOURCE +METADATA")))
        << header;
    std::vector<std::string> body;
    for (std::string line; std::getline(lines, line);) {
        body.push_back(line);
    }
    EXPECT_EQ(body.size(), static_cast<std::size_t>(sql_count(
                               s_db, "SELECT (SELECT COUNT(*) FROM trial_telemetry WHERE trial_id "
                                     "= 1) + (SELECT COUNT(*) FROM trial_result WHERE trial_id "
                                     "= 1)")));
    // Sorted by metric, then time: bytes, bytes, loss, loss, the score result, ticks...
    EXPECT_TRUE(std::regex_match(
        body.at(2),
        std::regex("1 +2025-01-01T00:00:00\\.000000Z +loss +0\\.5 +telemetry +epoch 1")))
        << r.out;
    const std::string end =
        iso(sql_rows(s_db, "SELECT ts_end FROM trial WHERE trial_id = 1").at(0));
    EXPECT_TRUE(std::regex_match(body.at(4), std::regex("1 +" + end + " +score +7 +result +-")))
        << r.out;
    constexpr int ticks = k_posters * k_posts;
    char last[64];
    std::snprintf(last, sizeof last, "1 +2025-01-01T00:00:20\\.%06dZ +ticks +%d +telemetry +-",
                  ticks - 1, ticks);
    EXPECT_TRUE(std::regex_match(body.back(), std::regex(last))) << r.out;
}

TEST_F(Metrics, SummarizeLastAndSinceGiveTheStoredNumbers)
{
    constexpr int ticks = k_posters * k_posts;
    // One bucket: the mean of the running sums 1..ticks, timed at the first sample.
    auto r = mlosbench(
        {"metrics", "tel", "--trial", "3", "--metric", "ticks", "--summarize", "1", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc.size(), 1U) << r.out;
    EXPECT_DOUBLE_EQ(doc[0]["value"].get<double>(), (ticks + 1) / 2.0);
    EXPECT_EQ(doc[0]["count"], ticks);
    EXPECT_EQ(doc[0]["ts"], "2025-01-01T00:00:20.000000Z");

    // Two metrics, each summarized in 2 buckets of 5.25 s over 00:00:00..00:00:10.5.
    r = mlosbench({"metrics", "tel", "--trial", "3", "--metric", "bytes", "--metric", "loss",
                   "--summarize", "2", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc.size(), 4U) << r.out;
    EXPECT_EQ(doc[1]["ts"], "2025-01-01T00:00:05.250000Z");
    EXPECT_EQ(doc[1]["value"], 150.0);
    EXPECT_EQ(doc[3]["ts"], "2025-01-01T00:00:05.000000Z"); // loss spans 10 s: 5 s buckets

    r = mlosbench({"metrics", "tel", "--metric", "ticks", "--last", "1", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc.size(), static_cast<std::size_t>(k_runners));
    for (const auto& row : doc) {
        EXPECT_EQ(row["value"], ticks);
        EXPECT_EQ(
            row["ts"],
            iso(sql_rows(s_db, "SELECT MAX(ts) FROM trial_telemetry WHERE metric_id = 'ticks' "
                               "AND trial_id = " +
                                   text(row["trial_id"]))
                    .at(0)));
    }

    // At or after 00:00:10 (given in the storage's own form), telemetry only.
    r = mlosbench({"metrics", "tel", "--since", "2025-01-01 00:00:10.000000", "--no-results",
                   "--metric", "loss", "--metric", "score", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc.size(), static_cast<std::size_t>(k_runners));
    for (const auto& row : doc) {
        EXPECT_EQ(row["metric"], "loss");
        EXPECT_EQ(row["value"], 0.25);
        EXPECT_EQ(row["metadata"], "epoch 2");
    }
}

namespace {

// A small experiment ("loc", one trial of local_env.jsonc) for the error cases.
class MetricsErrors : public ::testing::Test
{
protected:
    void SetUp() override
    {
        const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--storage",
                                      m_db.string(), "--experiment-id", "tel"},
                                     m_dir.path());
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    CommandResult mlosbench(std::vector<std::string> args)
    {
        args.insert(args.end(), {"--storage", m_db.string()});
        return run_mlosbench(args, m_dir.path());
    }

    TempDir m_dir;
    fs::path m_db = m_dir.path() / "e.db";
};

} // namespace

TEST_F(MetricsErrors, BadArgumentsAreExit2)
{
    auto r = mlosbench({"metrics", "nope"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown experiment 'nope'\n");
    r = mlosbench({"metrics", "tel", "--trial", "99"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown trial 99 in experiment 'tel'\n");
    r = mlosbench({"metrics", "tel", "--since", "yesterday"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: --since: expected an ISO 8601 time such as "
                     "2025-01-02T03:04:05Z, from 1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z, "
                     "got 'yesterday'\n");
    r = mlosbench({"metrics", "tel", "--metric", "scor"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: --metric: unknown metric 'scor' in experiment 'tel' (its "
                     "metrics: cpu, latency, mode, score) (did you mean 'score'?)\n");
    r = mlosbench({"metrics", "tel", "--metric", "score", "--metric", "cpu"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = mlosbench({"metrics", "tel", "--summarize", "0"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: --summarize: expected a whole number of at least 1, got "
                     "'0'\n");
    r = mlosbench({"metrics", "tel", "--last", "1.5"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: --last: expected a whole number of at least 1, got "
                     "'1.5'\n");
}

TEST_F(MetricsErrors, PostMetricOutsideATrialOrWithABadValueIsExit2)
{
    auto r = run_mlosbench({"post-metric", "loss", "1"}, m_dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: MLOSBENCH_STORAGE is not set: post-metric runs inside a "
                     "trial's script, whose environment names the storage, experiment and "
                     "trial\n");
    const std::vector<std::string> env = {"MLOSBENCH_STORAGE=" + m_db.string(),
                                          "MLOSBENCH_EXPERIMENT_ID=tel"};
    r = run_mlosbench({"post-metric", "loss", "1"}, m_dir.path(), env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("MLOSBENCH_TRIAL_ID is not set"), std::string::npos) << r.err;

    auto trial_env = env;
    trial_env.emplace_back("MLOSBENCH_TRIAL_ID=1");
    r = run_mlosbench({"post-metric", "loss", "fast"}, m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: VALUE: expected a number, got 'fast'\n");
    r = run_mlosbench({"post-metric", "loss", "1", "--time", "noon"}, m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 2);

    auto bad_trial = env;
    bad_trial.emplace_back("MLOSBENCH_TRIAL_ID=99");
    r = run_mlosbench({"post-metric", "loss", "1"}, m_dir.path(), bad_trial);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: experiment 'tel' has no trial 99\n");
    EXPECT_EQ(sql_count(m_db, "SELECT COUNT(*) FROM trial_telemetry WHERE trial_id = 99"), 0);

    // Times a timestamp cannot hold, days that do not exist, offsets beyond a day.
    for (const char* time : {"9999-12-31T00:00:00Z", "1600-01-01", "2025-02-30T00:00:00Z",
                             "2025-04-31", "2025-01-01T00:00:00+99:99"}) {
        r = run_mlosbench({"post-metric", "loss", "1", "--time", time}, m_dir.path(), trial_env);
        EXPECT_EQ(r.exit_code, 2) << time;
        EXPECT_EQ(r.err, std::string("mlosbench: error: --time: expected an ISO 8601 time such "
                                     "as 2025-01-02T03:04:05Z, from 1970-01-01T00:00:00Z to "
                                     "2261-12-31T23:59:59Z, got '") +
                             time + "'\n");
    }
    EXPECT_EQ(sql_count(m_db, "SELECT COUNT(*) FROM trial_telemetry WHERE metric_id = 'loss'"), 0);
    r = run_mlosbench({"post-metric", "loss", "1", "--time", "2024-02-29T23:59:59-23:59"},
                      m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sql_rows(m_db, "SELECT ts FROM trial_telemetry WHERE metric_id = 'loss'"),
              std::vector<std::string>{"2024-03-01 23:58:59.000000"});

    // A cumulative sum that leaves the range of its numbers is refused, the last sum kept.
    r = run_mlosbench({"post-metric", "ops", "9223372036854775807"}, m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_mlosbench({"post-metric", "ops", "1", "--cumulative"}, m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: VALUE: metric 'ops': 9223372036854775807 + 1 is out of "
                     "range (a cumulative sum of integers stays within "
                     "-9223372036854775808..9223372036854775807, of other numbers within about "
                     "+-1.8e308)\n");
    r = run_mlosbench({"post-metric", "bytes", "1.5e308"}, m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_mlosbench({"post-metric", "bytes", "1.5e308", "--cumulative"}, m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(sql_rows(m_db, "SELECT metric_id, metric_value FROM trial_telemetry WHERE "
                             "metric_id IN ('ops', 'bytes') ORDER BY metric_id"),
              (std::vector<std::string>{"bytes|1.5e+308", "ops|9223372036854775807"}));

    // A negative value is a value, not an option; nothing printed on stdout.
    r = run_mlosbench({"post-metric", "delta", "-2.5"}, m_dir.path(), trial_env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(sql_rows(m_db, "SELECT metric_value FROM trial_telemetry WHERE metric_id = 'delta'"),
              std::vector<std::string>{"-2.5"});
}

// Two experiments share the default config; deleting one leaves the other whole.
TEST(Delete, RemovesOneExperimentAndTheConfigsOnlyItUses)
{
    TempDir dir;
    const fs::path db = dir.path() / "d.db";
    const auto run = [&](const std::string& id, const std::vector<std::string>& extra) {
        std::vector<std::string> args = {"--environment",   e2e_config("local_env.jsonc"),
                                         "--storage",       db.string(),
                                         "--experiment-id", id};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = run_mlosbench(args, dir.path());
        ASSERT_EQ(r.exit_code, 0) << r.err;
    };
    run("keep", {});
    run("gone", {});
    run("gone", {"--optimizer", e2e_config("mock_opt.jsonc")});
    const auto mlosbench = [&](std::vector<std::string> args) {
        args.insert(args.end(), {"--storage", db.string()});
        return run_mlosbench(args, dir.path());
    };
    const std::vector<std::string> tables = sql_rows(
        db, "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 "
            "FROM pragma_table_info(m.name) WHERE name = 'exp_id') ORDER BY m.name");
    EXPECT_GE(tables.size(), 10U);
    std::map<std::string, long long> kept_rows;
    for (const auto& table : tables) {
        kept_rows[table] =
            sql_count(db, "SELECT COUNT(*) FROM " + table + " WHERE exp_id = 'keep'");
        if (table != "trial_telemetry_metadata") { // local_env.jsonc posts no metadata
            EXPECT_GT(sql_count(db, "SELECT COUNT(*) FROM " + table + " WHERE exp_id = 'gone'"), 0)
                << table;
        }
    }
    const std::string gone_only = "SELECT DISTINCT config_id FROM trial WHERE exp_id = 'gone' AND "
                                  "config_id NOT IN (SELECT config_id FROM trial WHERE exp_id = "
                                  "'keep')";
    const long long gone_configs = static_cast<long long>(sql_rows(db, gone_only).size());
    ASSERT_GT(gone_configs, 0);
    const auto shared =
        sql_rows(db, "SELECT DISTINCT config_id FROM trial WHERE exp_id = 'gone' AND "
                     "config_id IN (SELECT config_id FROM trial WHERE exp_id = "
                     "'keep')");
    ASSERT_EQ(shared.size(), 1U);
    const long long configs = sql_count(db, "SELECT COUNT(*) FROM config");
    const long long params = sql_count(db, "SELECT COUNT(*) FROM config_param");
    const long long gone_params =
        sql_count(db, "SELECT COUNT(*) FROM config_param WHERE config_id IN (" + gone_only + ")");

    // Not a terminal and no --yes: refused, nothing deleted.
    auto r = mlosbench({"delete", "gone"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: refusing to delete experiment 'gone' without "
                     "confirmation: stdin is not a terminal; pass --yes\n");
    // Its worker alive (this process stands in for it, heartbeating now): refused.
    {
        SQLite::Database database(db.string(), SQLite::OPEN_READWRITE);
        database.exec("UPDATE experiment_worker SET state = 'running', ts_end = NULL, pid = " +
                      std::to_string(::getpid()) +
                      ", ts_heartbeat = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE exp_id = "
                      "'gone'");
    }
    r = mlosbench({"delete", "gone", "--yes"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: experiment 'gone' is being run by process " +
                         std::to_string(::getpid()) + " on " + mlosbench::testing::host_name() +
                         ": stop it before deleting the experiment\n");
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM trial WHERE exp_id = 'gone'"), 6);
    {
        SQLite::Database database(db.string(), SQLite::OPEN_READWRITE);
        database.exec("UPDATE experiment_worker SET state = 'finished' WHERE exp_id = 'gone'");
    }

    r = mlosbench({"delete", "gone", "--yes", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["exp_id"], "gone");
    EXPECT_EQ(doc["deleted"]["trial"], 6);
    EXPECT_EQ(doc["deleted"]["config"], gone_configs);
    EXPECT_EQ(doc["deleted"]["config_param"], gone_params);

    for (const auto& table : tables) {
        EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM " + table + " WHERE exp_id = 'gone'"), 0)
            << table;
        EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM " + table + " WHERE exp_id = 'keep'"),
                  kept_rows[table])
            << table;
    }
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM config"), configs - gone_configs);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM config_param"), params - gone_params);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM config WHERE config_id = " + shared[0]), 1);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM config_param WHERE config_id = " + shared[0]), 2);

    r = mlosbench({"show", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto experiments = nlohmann::json::parse(r.out);
    ASSERT_EQ(experiments.size(), 1U);
    EXPECT_EQ(experiments[0]["exp_id"], "keep");
    r = mlosbench({"show", "gone"});
    EXPECT_EQ(r.exit_code, 2);
    r = mlosbench({"delete", "gone", "--yes"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown experiment 'gone'\n");
}

// delete leaves a file that is not a storage file as it was.
TEST(Delete, LeavesAForeignSqliteFileAlone)
{
    TempDir dir;
    const fs::path db = dir.path() / "other.db";
    {
        SQLite::Database database(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        database.exec("CREATE TABLE foo (a)");
    }
    const auto r = run_mlosbench({"delete", "x", "--yes", "--storage", db.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: " + db.string() +
                         ": not an mlosbench or mlos_bench storage file (table 'foo' is not "
                         "one of mlosbench's or mlos_bench's)\n");
    EXPECT_EQ(sql_rows(db, "SELECT name FROM sqlite_master"), std::vector<std::string>{"foo"});
}

// Metadata rows with secret names (as a file written by mlos_bench may hold) are masked.
TEST(Show, MasksSecretMetadataOfATrial)
{
    TempDir dir;
    const fs::path db = dir.path() / "s.db";
    auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--storage",
                            db.string(), "--experiment-id", "sec"},
                           dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    {
        SQLite::Database database(db.string(), SQLite::OPEN_READWRITE);
        database.exec("INSERT INTO trial_param VALUES ('sec', 1, 'db_password', 'hunter2'), "
                      "('sec', 1, 'API_TOKEN', 'tok123'), ('sec', 1, 'ssh_key', 'k3y'), "
                      "('sec', 1, 'client_secret', 's3cr3t'), ('sec', 1, 'note', 'visible')");
    }
    r = run_mlosbench({"show", "sec", "--trial", "1", "--storage", db.string()}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* secret : {"hunter2", "tok123", "k3y", "s3cr3t"}) {
        EXPECT_EQ(r.out.find(secret), std::string::npos) << secret << "\n" << r.out;
    }
    EXPECT_NE(r.out.find("  db_password = ******\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  API_TOKEN = ******\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  note = visible\n"), std::string::npos) << r.out;
    r = run_mlosbench({"show", "sec", "--trial", "1", "--json", "--storage", db.string()},
                      dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["metadata"]["db_password"], "******");
    EXPECT_EQ(doc["metadata"]["ssh_key"], "******");
    EXPECT_EQ(doc["metadata"]["client_secret"], "******");
    EXPECT_EQ(doc["metadata"]["note"], "visible");
    // Tunables are never masked.
    EXPECT_EQ(doc["config"]["x"], 7);
}

// On a terminal (script(1) gives it one) delete asks, and only "y" deletes.
TEST(Delete, AsksOnATerminal)
{
    TempDir dir;
    const fs::path db = dir.path() / "q.db";
    const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--storage",
                                  db.string(), "--experiment-id", "ask"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto answer = [&](const std::string& reply) {
        const fs::path input = dir.write("answer", reply + "\n");
        const fs::path output = dir.path() / "output";
        const std::string command = "script -qec '" + std::string(MLOSBENCH_BINARY) +
                                    " delete ask --storage " + db.string() + "' /dev/null < " +
                                    input.string() + " > " + output.string() + " 2>&1";
        const int status = std::system(command.c_str());
        return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(output)};
    };
    auto [code, out] = answer("n");
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("Delete experiment 'ask' from " + db.string() +
                       " (config 1, config_param 2, experiment 1, "),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("? [y/N] mlosbench: not deleted"), std::string::npos) << out;
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM experiment"), 1);
    std::tie(code, out) = answer("y");
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("deleted experiment 'ask': config 1, config_param 2, experiment 1, "),
              std::string::npos)
        << out;
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM experiment"), 0);
}

TEST(PostMetric, FourConcurrentCumulativePostersAddUpExactly)
{
    // 4 processes at once, 25 posts each, of one cumulative metric of one trial at the time
    // each takes itself (no --time): every post adds to the value recorded last, so the sums
    // run 1..100 and the last is 100.
    constexpr int k_processes = 4;
    constexpr int k_each = 25;
    TempDir dir;
    const fs::path db = dir.path() / "cum.db";
    const auto made = run_mlosbench({"--environment", e2e_config("mock_env.jsonc"), "--storage",
                                     db.string(), "--experiment-id", "cum"},
                                    dir.path());
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::vector<std::string> env = {"MLOSBENCH_STORAGE=" + db.string(),
                                          "MLOSBENCH_EXPERIMENT_ID=cum", "MLOSBENCH_TRIAL_ID=1"};
    std::vector<std::string> errors(k_processes);
    std::vector<std::thread> posters;
    for (int p = 0; p < k_processes; ++p) {
        posters.emplace_back([&, p] {
            for (int i = 0; i < k_each; ++i) {
                const auto r =
                    run_mlosbench({"post-metric", "n", "1", "--cumulative"}, dir.path(), env);
                if (r.exit_code != 0) {
                    errors[p] += r.err;
                }
            }
        });
    }
    for (auto& t : posters) {
        t.join();
    }
    for (const auto& e : errors) {
        EXPECT_EQ(e, "");
    }
    constexpr int total = k_processes * k_each;
    const std::string where = " FROM trial_telemetry WHERE exp_id = 'cum' AND metric_id = 'n'";
    EXPECT_EQ(sql_rows(db, "SELECT COUNT(*), COUNT(DISTINCT metric_value), MAX(CAST(metric_value "
                           "AS INTEGER))" +
                               where),
              std::vector<std::string>{std::to_string(total) + "|" + std::to_string(total) + "|" +
                                       std::to_string(total)});
    EXPECT_EQ(sql_value(db, "SELECT metric_value" + where + " ORDER BY rowid DESC LIMIT 1"),
              std::to_string(total));
}
