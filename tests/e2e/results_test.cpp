// `mlosbench show` and `export` end to end: a real experiment made by `run`, then each
// command's table and JSON checked against the SQLite rows; reading a file its user cannot
// write, output that cannot be written, bytes that are not UTF-8, cells that look like formulas.
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

// One experiment ("res1", 5 trials of local_env.jsonc) shared by the tests.
class Results : public SharedStorageTest
{
protected:
    static void SetUpTestSuite()
    {
        open_storage("r.db");
        const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                                      e2e_config("mock_opt.jsonc"), "--storage", s_db.string(),
                                      "--experiment-id", "res1"},
                                     s_dir->path());
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
};

} // namespace

TEST_F(Results, ShowListsExperiments)
{
    const auto r = mlosbench({"show"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')).find("EXPERIMENT  STATUS"), 0U) << r.out;
    EXPECT_NE(r.out.find("res1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SUCCEEDED=5"), std::string::npos) << r.out;

    const auto j = mlosbench({"show", "--json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    ASSERT_EQ(doc.size(), 1U);
    EXPECT_EQ(doc[0]["exp_id"], "res1");
    EXPECT_EQ(doc[0]["trials"]["total"], 5);
    EXPECT_EQ(doc[0]["trials"]["by_status"]["SUCCEEDED"], 5);
    // Times in ISO 8601 UTC, as every command prints them.
    EXPECT_EQ(doc[0]["ts_start"],
              sql_value(s_db, "SELECT replace(ts_start, ' ', 'T') || 'Z' FROM experiment"));
    const std::string best_sql = "SELECT MIN(CAST(metric_value AS REAL)) FROM trial_result WHERE "
                                 "metric_id = 'score'";
    EXPECT_DOUBLE_EQ(doc[0]["best"]["score"].get<double>(), std::stod(sql_value(s_db, best_sql)));
}

TEST_F(Results, ShowListsTrialsOfAnExperiment)
{
    const auto r = mlosbench({"show", "res1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')).find("TRIAL  CONFIG  STATUS"), 0U) << r.out;
    EXPECT_NE(r.out.find("latency=7 mode=b score=7"), std::string::npos) << r.out;

    // The workers table follows the trials: the one run that made them, finished.
    EXPECT_NE(r.out.find("\nWORKER  HOST"), std::string::npos) << r.out;

    const auto j = mlosbench({"show", "res1", "--json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto all = nlohmann::json::parse(j.out);
    ASSERT_EQ(all["workers"].size(), 1U);
    EXPECT_EQ(all["workers"][0]["worker_id"], 1);
    EXPECT_EQ(all["workers"][0]["state"], "finished");
    EXPECT_EQ(all["workers"][0]["host"],
              sql_value(s_db, "SELECT hostname FROM experiment_worker WHERE exp_id = 'res1'"));
    EXPECT_EQ(all["workers"][0]["ts_end"],
              sql_value(s_db, "SELECT replace(ts_end, ' ', 'T') || 'Z' FROM experiment_worker "
                              "WHERE exp_id = 'res1'"));
    const auto& doc = all["trials"];
    ASSERT_EQ(doc.size(), 5U);
    EXPECT_EQ(doc[0]["trial_id"], 1);
    EXPECT_EQ(doc[0]["status"], "SUCCEEDED");
    EXPECT_EQ(doc[0]["results"]["score"], 7);
    EXPECT_EQ(doc[0]["results"]["mode"], "b");
    EXPECT_EQ(doc[2]["ts_start"], sql_value(s_db, "SELECT replace(ts_start, ' ', 'T') || 'Z' "
                                                  "FROM trial WHERE trial_id = 3"));
    EXPECT_EQ(doc[2]["config_id"],
              std::stoll(sql_value(s_db, "SELECT config_id FROM trial WHERE trial_id = 3")));
    EXPECT_TRUE(doc[2]["duration_s"].is_number());
}

TEST_F(Results, ShowOneTrial)
{
    const auto r = mlosbench({"show", "res1", "--trial", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("trial       1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("parameters:\n  mode = b\n  x = 7\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  | latency=7\n"), std::string::npos) << r.out;

    const auto j = mlosbench({"show", "res1", "--trial", "1", "--json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["config"], (nlohmann::json{{"mode", "b"}, {"x", 7}}));
    EXPECT_EQ(doc["results"]["latency"], 7);
    ASSERT_EQ(doc["status_history"].size(), 2U);
    EXPECT_EQ(doc["status_history"][0]["status"], "RUNNING");
    EXPECT_EQ(doc["status_history"][1]["status"], "SUCCEEDED");
    EXPECT_EQ(doc["stdout_tail"], sql_value(s_db, "SELECT stdout_tail FROM trial_output WHERE "
                                                  "trial_id = 1"));
    EXPECT_EQ(doc["metadata"].size(),
              std::stoul(sql_value(s_db, "SELECT COUNT(*) FROM trial_param WHERE trial_id = 1")));
}

TEST_F(Results, UnknownExperimentOrTrialIsExit2)
{
    auto r = mlosbench({"show", "nope"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown experiment 'nope'\n");
    r = mlosbench({"show", "res1", "--trial", "99"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown trial 99 in experiment 'res1'\n");
    r = mlosbench({"export", "nope", "--format", "csv"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown experiment 'nope'\n");
}

TEST_F(Results, MissingStorageIsExit2)
{
    const fs::path missing = s_dir->path() / "missing.db";
    const auto r = run_mlosbench({"show", "--storage", missing.string()}, s_dir->path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: " + missing.string() + ": storage file not found\n");
    EXPECT_FALSE(fs::exists(missing));
}

TEST_F(Results, ExportCsvAndJson)
{
    const auto c = mlosbench({"export", "res1", "--format", "csv"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    const std::string header = c.out.substr(0, c.out.find('\n'));
    EXPECT_EQ(header, "trial_id,ts_start,ts_end,tunable_config_id,tunable_config_trial_group_id,"
                      "status,trial_runner_id,config.mode,config.x,result.latency,result.mode,"
                      "result.score");
    const std::string first =
        c.out.substr(header.size() + 1, c.out.find('\n', header.size() + 1) - header.size() - 1);
    EXPECT_EQ(first, "1," +
                         sql_value(s_db, "SELECT replace(ts_start, ' ', 'T') || 'Z' FROM trial "
                                         "WHERE trial_id = 1") +
                         "," +
                         sql_value(s_db, "SELECT replace(ts_end, ' ', 'T') || 'Z' FROM trial "
                                         "WHERE trial_id = 1") +
                         "," + sql_value(s_db, "SELECT config_id FROM trial WHERE trial_id = 1") +
                         "," + "1,SUCCEEDED," +
                         sql_value(s_db, "SELECT trial_runner_id FROM trial WHERE trial_id = 1") +
                         ",b,7,7,b,7");

    const fs::path out = s_dir->path() / "export.json";
    const auto j = mlosbench({"export", "res1", "--format", "json", "-o", out.string()});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    EXPECT_EQ(j.out, "");
    const auto doc = nlohmann::json::parse(read_file(out));
    ASSERT_EQ(doc.size(), 5U);
    // --json is --format json; without either, the -o name's extension decides, else csv.
    const auto shorthand = mlosbench({"export", "res1", "--json"});
    ASSERT_EQ(shorthand.exit_code, 0) << shorthand.err;
    EXPECT_EQ(nlohmann::json::parse(shorthand.out), doc);
    const fs::path inferred = s_dir->path() / "inferred.json";
    ASSERT_EQ(mlosbench({"export", "res1", "-o", inferred.string()}).exit_code, 0);
    EXPECT_EQ(nlohmann::json::parse(read_file(inferred)), doc);
    EXPECT_EQ(mlosbench({"export", "res1"}).out, c.out);
    const auto both = mlosbench({"export", "res1", "--json", "--format", "csv"});
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_NE(both.err.find("--format excludes --json"), std::string::npos) << both.err;
    EXPECT_EQ(doc[0]["config.x"], 7);
    EXPECT_EQ(doc[0]["result.score"], 7);
    EXPECT_EQ(doc[0]["result.mode"], "b");
    for (const auto& row : doc) {
        EXPECT_EQ(
            row["tunable_config_trial_group_id"],
            std::stoll(sql_value(s_db, "SELECT MIN(trial_id) FROM trial WHERE config_id = " +
                                           sql_value(s_db, "SELECT config_id FROM trial WHERE "
                                                           "trial_id = " +
                                                               row["trial_id"].dump()))));
    }
}

namespace {

// An experiment "ro" of 5 trials of local_env.jsonc in its own directory.
fs::path make_experiment(const TempDir& dir, const std::string& name = "r.db")
{
    const fs::path db = dir.path() / name;
    const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                                  e2e_config("mock_opt.jsonc"), "--storage", db.string(),
                                  "--experiment-id", "ro"},
                                 dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return db;
}

std::vector<std::string> files_in(const fs::path& dir)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// A copy of the built binary that nobody may run: the build tree itself can be out of nobody's
// reach (a checkout under /root, which is mode 0700 on Debian).
const std::string& nobody_binary()
{
    static const TempDir dir;
    static const std::string path = [] {
        fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read |
                                        fs::perms::group_exec | fs::perms::others_read |
                                        fs::perms::others_exec);
        const fs::path copy = dir.path() / "mlosbench";
        fs::copy_file(mlosbench_binary(), copy);
        return copy.string();
    }();
    return path;
}

// The built binary run as user nobody, who may read the storage file but not write it or its
// directory (tests run as root, whom permission bits do not stop).
CommandResult as_nobody(const std::vector<std::string>& args, const fs::path& cwd)
{
    std::vector<std::string> argv = {"setpriv", "--reuid=nobody", "--regid=nogroup",
                                     "--clear-groups", nobody_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, cwd);
}

} // namespace

TEST(ReadOnlyStorage, ResultsCommandsReadAFileTheirUserCannotWriteAndLeaveNothingBehind)
{
    TempDir dir;
    const fs::path db = make_experiment(dir);
    TempDir out; // where nobody may write the outputs
    fs::permissions(out.path(), fs::perms::all);
    const auto before = files_in(dir.path());
    ASSERT_EQ(before, std::vector<std::string>{"r.db"});
    const std::string bytes = read_file(db);
    const std::vector<std::vector<std::string>> commands = {
        {"show"},
        {"show", "ro", "--json"},
        {"show", "ro", "--trial", "2"},
        {"export", "ro", "--format", "csv"},
        {"metrics", "ro", "--json"},
        {"plot", "ro", "-o", (out.path() / "p.svg").string()},
        {"report", "ro", "-o", (out.path() / "r.html").string()},
    };
    // As nobody first, while there is no -wal or -shm beside the file for it to use.
    std::vector<CommandResult> results;
    for (auto args : commands) {
        args.insert(args.end(), {"--storage", db.string()});
        results.push_back(as_nobody(args, out.path()));
    }
    EXPECT_EQ(files_in(dir.path()), before);
    for (std::size_t i = 0; i < commands.size(); ++i) {
        auto args = commands[i];
        args.insert(args.end(), {"--storage", db.string()});
        const auto& r = results[i];
        EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
        EXPECT_EQ(r.err, "") << args[0];
        EXPECT_EQ(r.out, run_mlosbench(args, out.path()).out) << args[0];
    }
    EXPECT_EQ(files_in(dir.path()), before);
    EXPECT_EQ(read_file(db), bytes);
}

TEST(ReadOnlyStorage, ReadsWhatARunningDriverHasCommitted)
{
    // The driver hangs in trial 3 with its connection open: what it committed is in the
    // write-ahead log, which a reader who cannot write reads through the driver's -shm.
    TempDir dir;
    TempDir capture;
    const fs::path db = dir.path() / "live.db";
    const RunningCommand driver =
        start_mlosbench({"--environment", e2e_config("resume_env.jsonc"), "--optimizer",
                         e2e_config("mock_opt.jsonc"), "--state_dir", dir.path().string(),
                         "--storage", db.string(), "--experiment-id", "live"},
                        dir.path(), capture.path());
    ASSERT_TRUE(wait_for_file(dir.path() / "pgid")) << read_file(driver.err_path);
    const auto r = as_nobody({"show", "live", "--json", "--storage", db.string()}, "/");
    ::kill(driver.pid, SIGKILL);
    (void)wait_for(driver);
    ::kill(-std::stoi(read_file(dir.path() / "pgid")), SIGKILL);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["trials"].size(), 3U);
    EXPECT_EQ(doc["trials"][2]["status"], "RUNNING");
    ASSERT_EQ(doc["workers"].size(), 1U);
    EXPECT_EQ(doc["workers"][0]["pid"], driver.pid);
    EXPECT_EQ(doc["workers"][0]["state"], "running");
}

TEST(ResultsOutput, AFailedWriteToStdoutIsAnError)
{
    TempDir dir;
    const fs::path db = make_experiment(dir);
    for (const std::string command : {"export ro", "show ro --json", "show", "metrics ro"}) {
        const auto r = run_command({"sh", "-c",
                                    "exec '" + mlosbench_binary() + "' " + command +
                                        " --storage '" + db.string() + "' > /dev/full"});
        EXPECT_EQ(r.exit_code, 1) << command;
        EXPECT_EQ(r.err, "mlosbench: error: cannot write to stdout: No space left on device\n")
            << command;
    }
}

TEST(ResultsOutput, AnOutputFileIsReplacedWholeOrLeftAsItWas)
{
    TempDir dir;
    const fs::path db = make_experiment(dir);
    TempDir out_dir;
    fs::permissions(out_dir.path(), fs::perms::all);
    const fs::path out = out_dir.path() / "out.csv";
    {
        std::ofstream old(out);
        old << "old\n";
    }
    fs::permissions(out, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                             fs::perms::group_write | fs::perms::others_read |
                             fs::perms::others_write);
    // Files of at most 512 bytes (ulimit -f 1): the export does not fit. As nobody, who reads
    // the storage file immutable, with no -shm to make (that would not fit either).
    const auto r = run_command({"sh", "-c",
                                "trap '' XFSZ; ulimit -f 1; exec setpriv --reuid=nobody "
                                "--regid=nogroup --clear-groups '" +
                                    nobody_binary() + "' export ro -o out.csv --storage '" +
                                    db.string() + "'"},
                               out_dir.path());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "mlosbench: error: cannot write out.csv: File too large\n");
    EXPECT_EQ(read_file(out), "old\n");
    EXPECT_EQ(files_in(out_dir.path()), std::vector<std::string>{"out.csv"});
    // When it fits, it replaces the old file whole.
    const auto ok =
        run_mlosbench({"export", "ro", "-o", "out.csv", "--storage", db.string()}, out_dir.path());
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(read_file(out),
              run_mlosbench({"export", "ro", "--storage", db.string()}, dir.path()).out);
    EXPECT_EQ(files_in(out_dir.path()), std::vector<std::string>{"out.csv"});
}

TEST(ResultsOutput, JsonIsValidWhateverBytesTheStorageHolds)
{
    TempDir dir;
    const fs::path db = make_experiment(dir);
    {
        SQLite::Database database(db.string(), SQLite::OPEN_READWRITE);
        database.exec("UPDATE trial_output SET stdout_tail = CAST(X'6f6bff0a' AS TEXT)");
        database.exec("UPDATE trial_result SET metric_value = CAST(X'62fe' AS TEXT) WHERE "
                      "metric_id = 'mode' AND trial_id = 1");
        database.exec("UPDATE experiment SET description = CAST(X'ff' AS TEXT)");
        database.exec("UPDATE trial_telemetry SET metric_value = CAST(X'c3' AS TEXT) WHERE "
                      "trial_id = 1");
    }
    const std::vector<std::vector<std::string>> commands = {
        {"show", "--json"},
        {"show", "ro", "--json"},
        {"show", "ro", "--trial", "1", "--json"},
        {"export", "ro", "--json"},
        {"export", "ro", "--json", "--telemetry"},
        {"metrics", "ro", "--json"}};
    for (const auto& args : commands) {
        auto full = args;
        full.insert(full.end(), {"--storage", db.string()});
        const auto r = run_mlosbench(full, dir.path());
        ASSERT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
        EXPECT_TRUE(nlohmann::json::accept(r.out)) << args[0] << " " << args[1];
    }
    const auto trial = nlohmann::json::parse(
        run_mlosbench({"show", "ro", "--trial", "1", "--json", "--storage", db.string()},
                      dir.path())
            .out);
    // A byte that is not UTF-8 becomes U+FFFD.
    EXPECT_EQ(trial["stdout_tail"], "ok\xef\xbf\xbd\n");
    EXPECT_EQ(trial["results"]["mode"], "b\xef\xbf\xbd");
}

TEST(ResultsOutput, CsvTextCellsThatLookLikeFormulasAreQuoted)
{
    TempDir dir;
    const fs::path db = make_experiment(dir);
    {
        SQLite::Database database(db.string(), SQLite::OPEN_READWRITE);
        database.exec("UPDATE trial_result SET metric_value = '=HYPERLINK(\"http://x\")' WHERE "
                      "metric_id = 'mode' AND trial_id = 1");
        database.exec("UPDATE trial_result SET metric_value = '+1+2' WHERE metric_id = 'mode' "
                      "AND trial_id = 2");
        database.exec("UPDATE trial_result SET metric_value = '@SUM(A1)' WHERE metric_id = "
                      "'mode' AND trial_id = 3");
        database.exec("UPDATE trial_result SET metric_value = '-2' WHERE metric_id = 'latency'");
        database.exec("UPDATE trial_telemetry SET metric_value = '-cmd|x' WHERE trial_id = 1");
        database.exec("UPDATE trial_telemetry SET metric_value = '-0.5' WHERE trial_id = 2");
    }
    const auto r = run_mlosbench({"export", "ro", "--storage", db.string()}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = [](const std::string& text) {
        std::vector<std::string> out;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            out.push_back(line);
        }
        return out;
    };
    const auto rows = lines(r.out);
    ASSERT_EQ(rows.size(), 6U);
    // result.latency (a number, -2, as is), result.mode (text), result.score
    const auto tail = [](const std::string& row) {
        std::size_t at = row.size();
        for (int i = 0; i < 3; ++i) {
            at = row.rfind(',', at - 1);
        }
        return row.substr(at + 1);
    };
    EXPECT_EQ(tail(rows[1]), "-2,\"'=HYPERLINK(\"\"http://x\"\")\"," +
                                 sql_value(db, "SELECT metric_value FROM trial_result WHERE "
                                               "trial_id = 1 AND metric_id = 'score'"));
    EXPECT_EQ(tail(rows[2]).substr(0, 8), "-2,'+1+2");
    EXPECT_EQ(tail(rows[3]).substr(0, 12), "-2,'@SUM(A1)");
    const auto telemetry = lines(
        run_mlosbench({"export", "ro", "--telemetry", "--storage", db.string()}, dir.path()).out);
    ASSERT_GE(telemetry.size(), 5U);
    EXPECT_EQ(telemetry[1].substr(telemetry[1].rfind(",cpu,")), ",cpu,'-cmd|x");
    EXPECT_EQ(telemetry[3].substr(telemetry[3].rfind(",cpu,")), ",cpu,-0.5");
}
