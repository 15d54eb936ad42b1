// `mlosbench run` end to end: the built binary on configs in tests/e2e/configs, checked through
// its exit code, its stdout and the rows of the SQLite file it wrote.
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

nlohmann::json summary_json(const CommandResult& r) { return nlohmann::json::parse(r.out); }

} // namespace

TEST(Run, LocalEnvResultsAndTelemetryAreStored)
{
    TempDir dir;
    const fs::path db = dir.path() / "r.db";
    const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                                  e2e_config("mock_opt.jsonc"), "--storage", db.string(),
                                  "--experiment-id", "local1", "--json"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = summary_json(r);
    EXPECT_EQ(summary["trials"]["total"], 5);
    EXPECT_EQ(summary["trials"]["by_status"]["SUCCEEDED"], 5);
    EXPECT_EQ(summary["storage"], db.string());
    // The first trial runs the defaults (x = 7, mode = b).
    EXPECT_EQ(sql_rows(db,
                       "SELECT metric_id, metric_value FROM trial_result WHERE exp_id = 'local1' "
                       "AND trial_id = 1 ORDER BY metric_id"),
              (std::vector<std::string>{"latency|7", "mode|b", "score|7"}));
    EXPECT_EQ(sql_rows(db,
                       "SELECT param_id, param_value FROM config_param JOIN trial USING "
                       "(config_id) WHERE exp_id = 'local1' AND trial_id = 1 ORDER BY param_id"),
              (std::vector<std::string>{"mode|b", "x|7"}));
    EXPECT_EQ(sql_rows(db, "SELECT COUNT(*) FROM trial_telemetry WHERE exp_id = 'local1' AND "
                           "metric_id = 'cpu'"),
              std::vector<std::string>{"10"});
    EXPECT_EQ(sql_rows(db, "SELECT status, COUNT(*) FROM trial WHERE exp_id = 'local1' GROUP BY "
                           "status"),
              std::vector<std::string>{"SUCCEEDED|5"});
    // Every trial went RUNNING -> SUCCEEDED (the status history).
    EXPECT_EQ(sql_rows(db,
                       "SELECT status FROM trial_status WHERE exp_id = 'local1' AND trial_id = 2 "
                       "ORDER BY ts"),
              (std::vector<std::string>{"RUNNING", "SUCCEEDED"}));
}

TEST(Run, MockEnvReproducesMlosBenchScore)
{
    // Defaults: migration_cost 125000 of [0, 500000] -> 0.25; latency_factor 0.5; policy fifo
    // is index 2 of 3 -> 1.0. Score = mean(0.25^2, 0.5^2, 1^2) = 0.4375, scaled to [60, 120]:
    // 60 + 0.4375 * 60 = 86.25.
    TempDir dir;
    const fs::path db = dir.path() / "m.db";
    const auto r =
        run_mlosbench({"--environment", e2e_config("mock_env.jsonc"), "--trial_config_repeat_count",
                       "5", "--mock_env_seed", "-1", "--storage", db.string(), "--json"},
                      dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = summary_json(r);
    EXPECT_EQ(summary["trials"]["total"], 5);
    EXPECT_DOUBLE_EQ(summary["best"]["scores"]["score"].get<double>(), 86.25);
    EXPECT_EQ(sql_rows(db, "SELECT DISTINCT metric_value FROM trial_result"),
              std::vector<std::string>{"86.25"});
    EXPECT_EQ(sql_rows(db, "SELECT COUNT(DISTINCT config_id), COUNT(*) FROM trial"),
              std::vector<std::string>{"1|5"});
}

TEST(Run, CompositeMergesChildrenResults)
{
    TempDir dir;
    const fs::path db = dir.path() / "c.db";
    const auto r = run_mlosbench(
        {"--environment", e2e_config("composite_env.jsonc"), "--storage", db.string(), "--json"},
        dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sql_rows(db, "SELECT metric_id, metric_value FROM trial_result ORDER BY metric_id"),
              (std::vector<std::string>{"a|7", "score|3.5"}));
}

TEST(Run, FailuresAreRecordedAndTheExperimentGoesOn)
{
    TempDir dir;
    const fs::path db = dir.path() / "f.db";
    const auto r = run_mlosbench({"--environment", e2e_config("failing_env.jsonc"), "--optimizer",
                                  e2e_config("mock_opt.jsonc"), "--storage", db.string(), "--json"},
                                 dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.err; // 3 of 5 failed: more than --max-failed-share 0.2
    EXPECT_EQ(sql_rows(db, "SELECT trial_id, status FROM trial ORDER BY trial_id"),
              (std::vector<std::string>{"1|SUCCEEDED", "2|FAILED", "3|FAILED", "4|TIMED_OUT",
                                        "5|SUCCEEDED"}));
    const auto reasons =
        sql_rows(db, "SELECT trial_id, reason FROM trial_output WHERE reason <> '' "
                     "ORDER BY trial_id");
    ASSERT_EQ(reasons.size(), 3U);
    EXPECT_NE(reasons[0].find("exited with code 3"), std::string::npos) << reasons[0];
    EXPECT_NE(reasons[1].find("results.csv"), std::string::npos) << reasons[1];
    EXPECT_NE(reasons[2].find("timed out"), std::string::npos) << reasons[2];
    EXPECT_EQ(sql_rows(db, "SELECT stderr_tail FROM trial_output WHERE trial_id = 2"),
              std::vector<std::string>{"broken\n"});
    EXPECT_NE(summary_json(r)["failure"].get<std::string>().find("--max-failed-share"),
              std::string::npos);
}

TEST(Run, TwoRunnersRunAtTheSameTime)
{
    TempDir dir;
    const fs::path db = dir.path() / "p.db";
    const auto r = run_mlosbench({"--environment", e2e_config("parallel_env.jsonc"),
                                  "--trial-config-repeat-count", "2", "--num-trial-runners", "2",
                                  "--state_dir", dir.path().string(), "--storage", db.string()},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sql_rows(db, "SELECT trial_id, trial_runner_id, metric_value FROM trial JOIN "
                           "trial_result USING (exp_id, trial_id) WHERE metric_id = 'overlap' "
                           "ORDER BY trial_id"),
              (std::vector<std::string>{"1|1|1", "2|2|1"}));
}

TEST(Run, KilledMidTrialThenResumedRunsEveryTrialExactlyOnce)
{
    TempDir dir;
    TempDir capture;
    const fs::path db = dir.path() / "k.db";
    const std::vector<std::string> args = {"--environment",   e2e_config("resume_env.jsonc"),
                                           "--optimizer",     e2e_config("mock_opt.jsonc"),
                                           "--state_dir",     dir.path().string(),
                                           "--storage",       db.string(),
                                           "--experiment-id", "resume1"};
    const RunningCommand first = start_mlosbench(args, dir.path(), capture.path());
    ASSERT_TRUE(wait_for_file(dir.path() / "killed")) << read_file(first.err_path);
    ASSERT_TRUE(wait_for_file(dir.path() / "pgid"));
    ::kill(first.pid, SIGKILL);
    const CommandResult killed = wait_for(first);
    EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
    // The trial's script is in its own process group: end it as a crashed host would.
    const int pgid = std::stoi(read_file(dir.path() / "pgid"));
    ::kill(-pgid, SIGKILL);
    EXPECT_EQ(sql_rows(db, "SELECT trial_id, status FROM trial ORDER BY trial_id"),
              (std::vector<std::string>{"1|SUCCEEDED", "2|SUCCEEDED", "3|RUNNING"}));

    const auto r = run_mlosbench(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Trial 3 ran again under its id; the resumed run then made its own 5 suggestions.
    EXPECT_EQ(sql_rows(db,
                       "SELECT COUNT(*), MIN(trial_id), MAX(trial_id) FROM trial WHERE status = "
                       "'SUCCEEDED'"),
              std::vector<std::string>{"8|1|8"});
    EXPECT_EQ(sql_rows(db, "SELECT status FROM trial_status WHERE trial_id = 3 ORDER BY ts"),
              (std::vector<std::string>{"RUNNING", "RUNNING", "SUCCEEDED"}));
    // Its start is that of the re-run: the time mlosbench was down is not its duration.
    EXPECT_EQ(sql_value(db, "SELECT ts_start FROM trial WHERE trial_id = 3"),
              sql_value(db, "SELECT MAX(ts) FROM trial_status WHERE trial_id = 3 AND "
                            "status = 'RUNNING'"));
    std::ifstream ran(dir.path() / "ran");
    std::vector<int> ids;
    for (int id = 0; ran >> id;) {
        ids.push_back(id);
    }
    EXPECT_EQ(ids, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Run, SecondDriverOfTheSameExperimentIsRefused)
{
    TempDir dir;
    TempDir capture;
    const fs::path db = dir.path() / "d.db";
    const std::vector<std::string> args = {"--environment",   e2e_config("resume_env.jsonc"),
                                           "--optimizer",     e2e_config("mock_opt.jsonc"),
                                           "--state_dir",     dir.path().string(),
                                           "--storage",       db.string(),
                                           "--experiment-id", "busy"};
    const RunningCommand first = start_mlosbench(args, dir.path(), capture.path());
    ASSERT_TRUE(wait_for_file(dir.path() / "pgid")) << read_file(first.err_path);
    const auto second = run_mlosbench(args, dir.path());
    EXPECT_EQ(second.exit_code, 2) << second.err;
    EXPECT_NE(
        second.err.find("experiment 'busy' is being run by process " + std::to_string(first.pid)),
        std::string::npos)
        << second.err;
    ::kill(first.pid, SIGKILL);
    (void)wait_for(first);
    ::kill(-std::stoi(read_file(dir.path() / "pgid")), SIGKILL);
}

TEST(Run, InterruptRecordsCanceledAndExits130)
{
    TempDir dir;
    TempDir capture;
    const fs::path db = dir.path() / "i.db";
    const std::vector<std::string> args = {"--environment",   e2e_config("resume_env.jsonc"),
                                           "--optimizer",     e2e_config("mock_opt.jsonc"),
                                           "--state_dir",     dir.path().string(),
                                           "--storage",       db.string(),
                                           "--experiment-id", "int1"};
    const RunningCommand first = start_mlosbench(args, dir.path(), capture.path());
    ASSERT_TRUE(wait_for_file(dir.path() / "pgid")) << read_file(first.err_path);
    ::kill(first.pid, SIGINT);
    const CommandResult r = wait_for(first);
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_EQ(sql_rows(db, "SELECT trial_id, status FROM trial ORDER BY trial_id"),
              (std::vector<std::string>{"1|SUCCEEDED", "2|SUCCEEDED", "3|CANCELED"}));
    EXPECT_EQ(sql_rows(db, "SELECT status FROM experiment WHERE exp_id = 'int1'"),
              std::vector<std::string>{"CANCELED"});
    // The resumed run re-runs trial 3 (its script now finds the 'killed' marker and succeeds).
    const auto again = run_mlosbench(args, dir.path());
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(sql_rows(db, "SELECT status FROM trial WHERE trial_id = 3"),
              std::vector<std::string>{"SUCCEEDED"});
}

// The first interrupt says what happens next; the second kills a trial that ignores SIGTERM at
// once instead of after the 5 s grace. The trial is CANCELED and nothing of it is left.
TEST(Run, SecondInterruptKillsTheRunningTrialsAtOnce)
{
    TempDir dir;
    TempDir capture;
    const fs::path db = dir.path() / "i.db";
    const std::vector<std::string> args = {"--environment",   e2e_config("stubborn_env.jsonc"),
                                           "--optimizer",     e2e_config("mock_opt.jsonc"),
                                           "--state_dir",     dir.path().string(),
                                           "--storage",       db.string(),
                                           "--experiment-id", "int2"};
    const RunningCommand run = start_mlosbench(args, dir.path(), capture.path());
    ASSERT_TRUE(wait_for_file(dir.path() / "pgid")) << read_file(run.err_path);
    const int group = std::stoi(read_file(dir.path() / "pgid"));
    ::kill(run.pid, SIGINT);
    ASSERT_TRUE(wait_for_text(run.err_path, "stopping: 1 running trial, killing in 5 s (Ctrl-C "
                                            "again to kill now)"))
        << read_file(run.err_path);
    const auto second = std::chrono::steady_clock::now();
    ::kill(run.pid, SIGINT);
    const CommandResult r = wait_for(run);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - second).count();
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_LT(seconds, 4.0) << "the second interrupt waited for the grace";
    EXPECT_NE(r.err.find("killing the running trials now"), std::string::npos) << r.err;
    EXPECT_EQ(sql_rows(db, "SELECT trial_id, status FROM trial ORDER BY trial_id"),
              std::vector<std::string>{"1|CANCELED"});
    // Nothing of the trial is left (its last process may take a moment to be reaped).
    EXPECT_TRUE(wait_until([&] { return ::kill(-group, 0) == -1; }, 2));
}

TEST(Run, ThreeRunnersFinishEveryTrial)
{
    TempDir dir;
    const fs::path db = dir.path() / "three.db";
    const auto r =
        run_mlosbench({"--environment", e2e_config("mock_env.jsonc"), "--optimizer",
                       e2e_config("mock_opt.jsonc"), "--num-trial-runners", "3",
                       "--trial-config-repeat-count", "2", "--storage", db.string(), "--json"},
                      dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(summary_json(r)["trials"]["total"], 10);
    EXPECT_EQ(sql_rows(db,
                       "SELECT COUNT(*), COUNT(DISTINCT trial_runner_id) FROM trial WHERE status = "
                       "'SUCCEEDED'"),
              std::vector<std::string>{"10|3"});
}

TEST(Run, SummaryNamesTheBestScoringRepeatOfTheBestConfig)
{
    // One config run 3 times with noise: the repeats score differently, and the summary's best
    // trial is the one that scored best, whichever repeat it was.
    TempDir dir;
    const fs::path db = dir.path() / "rep.db";
    const auto r = run_mlosbench({"--environment", e2e_config("mock_env.jsonc"),
                                  "--trial-config-repeat-count", "3", "--storage", db.string(),
                                  "--json"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto best = sql_rows(db, "SELECT trial_id, metric_value FROM trial_result WHERE "
                                   "metric_id = 'score' ORDER BY CAST(metric_value AS REAL) "
                                   "LIMIT 1");
    ASSERT_EQ(best.size(), 1U);
    ASSERT_NE(best[0].substr(0, 2), "1|") << "the seed should make a later repeat the best";
    const auto summary = summary_json(r);
    EXPECT_EQ(std::to_string(summary["best"]["trial_id"].get<int>()) + "|" +
                  sql_value(db, "SELECT metric_value FROM trial_result WHERE trial_id = " +
                                    std::to_string(summary["best"]["trial_id"].get<int>())),
              best[0]);
    EXPECT_DOUBLE_EQ(summary["best"]["scores"]["score"].get<double>(),
                     std::stod(best[0].substr(best[0].find('|') + 1)));
}

TEST(Run, SecretsAreMaskedInWhatIsShownLoggedAndStored)
{
    TempDir dir;
    const std::string secret = "s3cr3t-pw";
    const auto v = run_mlosbench(
        {"validate", "--environment", e2e_config("secret_env.jsonc"), "--db_password", secret},
        dir.path());
    ASSERT_EQ(v.exit_code, 0) << v.err;
    EXPECT_NE(v.out.find(" = \"postgres://u:***@h/db\"  [const_args of "), std::string::npos)
        << v.out;
    EXPECT_NE(v.out.find(" = ******  [--db_password]"), std::string::npos) << v.out;
    EXPECT_EQ((v.out + v.err).find(secret), std::string::npos) << v.out << v.err;

    const fs::path db = dir.path() / "s.db";
    const fs::path log = dir.path() / "run.log";
    const auto r = run_mlosbench({"--environment", e2e_config("secret_env.jsonc"),
                                  "--db_password", secret, "--storage", db.string(),
                                  "--experiment-id", "sec", "--log-level", "debug", "--log-file",
                                  log.string()},
                                 dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.err; // its one trial failed
    // Nowhere in the file (its write-ahead log checkpointed into it and removed), then.
    EXPECT_FALSE(fs::exists(db.string() + "-wal"));
    EXPECT_EQ(read_file(db).find(secret), std::string::npos);
    EXPECT_EQ((r.out + r.err).find(secret), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.err.find("test -n 'u:***' && exit 3"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(log).find(secret), std::string::npos) << read_file(log);
    EXPECT_EQ(sql_rows(db, "SELECT stderr_tail FROM trial_output"),
              std::vector<std::string>{"cannot reach postgres://u:***@h/db\n"});
    EXPECT_NE(sql_value(db, "SELECT reason FROM trial_output").find("'u:***'"), std::string::npos);
    const auto show = run_mlosbench({"show", "sec", "--trial", "1", "--storage", db.string()},
                                    dir.path());
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_EQ(show.out.find(secret), std::string::npos) << show.out;
}

TEST(Run, GitRemoteCredentialsAreNotStored)
{
    TempDir repo;
    ASSERT_EQ(run_command({"git", "init", "-q", repo.path().string()}).exit_code, 0);
    ASSERT_EQ(run_command({"git", "-C", repo.path().string(), "remote", "add", "origin",
                           "https://user:tok3n@example.com/org/repo.git"})
                  .exit_code,
              0);
    for (const std::string name : {"mock_env.jsonc", "mock_tunables.jsonc"}) {
        fs::copy_file(e2e_config(name), repo.path() / name);
    }
    const fs::path db = repo.path() / "g.db";
    const auto r = run_mlosbench({"--environment", (repo.path() / "mock_env.jsonc").string(),
                                  "--storage", db.string(), "--experiment-id", "git"},
                                 repo.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sql_rows(db, "SELECT git_repo, root_env_config FROM experiment"),
              std::vector<std::string>{"https://example.com/org/repo.git|mock_env.jsonc"});
    EXPECT_EQ(read_file(db).find("tok3n"), std::string::npos);
}

TEST(Run, AForeignSqliteFileIsLeftAsItWas)
{
    TempDir dir;
    const fs::path db = dir.path() / "app.db";
    {
        SQLite::Database database(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        database.exec("CREATE TABLE experiment (id INTEGER PRIMARY KEY, name TEXT)");
        database.exec("INSERT INTO experiment (name) VALUES ('theirs')");
    }
    const std::string bytes = read_file(db);
    const std::string message = "mlosbench: error: " + db.string() +
                                ": not an mlosbench or mlos_bench storage file (table "
                                "'experiment' has no column 'exp_id'): left as it was\n";
    const auto run = run_mlosbench(
        {"--environment", e2e_config("mock_env.jsonc"), "--storage", db.string()}, dir.path());
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
    const auto schema =
        run_mlosbench({"--create-update-storage-schema-only", "--storage", db.string()},
                      dir.path());
    EXPECT_EQ(schema.exit_code, 2);
    EXPECT_NE(schema.err.find(message), std::string::npos) << schema.err;
    const auto post = run_mlosbench({"post-metric", "n", "1"}, dir.path(),
                                    {"MLOSBENCH_STORAGE=" + db.string(),
                                     "MLOSBENCH_EXPERIMENT_ID=x", "MLOSBENCH_TRIAL_ID=1"});
    EXPECT_EQ(post.exit_code, 2);
    EXPECT_EQ(post.err, message);
    EXPECT_EQ(read_file(db), bytes);
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        files.push_back(entry.path().filename().string());
    }
    EXPECT_EQ(files, std::vector<std::string>{"app.db"});
}

namespace {

// mlosbench started with a stack limit so large that no thread can get its stack: the
// machine refusing threads, for real.
CommandResult run_with_huge_thread_stacks(const std::vector<std::string>& args, const fs::path& cwd)
{
    std::string script = "ulimit -s 1000000000 && exec \"$0\"";
    for (std::size_t i = 0; i < args.size(); ++i) {
        script += " \"$" + std::to_string(i + 1) + "\"";
    }
    TempDir capture;
    const fs::path out = capture.path() / "out";
    const fs::path err = capture.path() / "err";
    const pid_t pid = fork();
    if (pid == 0) {
        std::freopen(out.c_str(), "w", stdout);
        std::freopen(err.c_str(), "w", stderr);
        if (::chdir(cwd.c_str()) != 0) {
            _exit(127);
        }
        std::vector<std::string> words = {"/bin/sh", "-c", script, MLOSBENCH_BINARY};
        words.insert(words.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& w : words) {
            argv.push_back(w.data());
        }
        argv.push_back(nullptr);
        ::execv("/bin/sh", argv.data());
        _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
}

} // namespace

TEST(Run, RunnerThreadsThatCannotStartAreAnErrorAndTheExperimentEnds)
{
    TempDir dir;
    const fs::path db = dir.path() / "t.db";
    const auto r = run_with_huge_thread_stacks({"--environment", e2e_config("mock_env.jsonc"),
                                                "--num-trial-runners", "2", "--storage",
                                                db.string(), "--experiment-id", "threads"},
                                               dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("mlosbench: error: cannot start the thread that watches for signals: "),
              std::string::npos)
        << r.err;
    // Not left RUNNING (which would look like a live driver), and no trial was started.
    EXPECT_EQ(sql_value(db, "SELECT status FROM experiment WHERE exp_id = 'threads'"), "FAILED");
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM trial WHERE status = 'RUNNING'"), 0);
}

TEST(Run, MockExampleRunsTheSuggestionsItsGlobalsAskFor)
{
    TempDir dir;
    const fs::path db = dir.path() / "m.db";
    const std::string examples = (tests_dir().parent_path() / "config" / "examples").string();
    const auto r = run_mlosbench(
        {"--config", examples + "/mock/cli.jsonc", "--storage", db.string(), "--json"}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(summary_json(r)["trials"]["total"], 20);
    EXPECT_EQ(sql_count(db, "SELECT COUNT(*) FROM trial WHERE exp_id = 'mock-example' AND "
                            "status = 'SUCCEEDED'"),
              20);
    EXPECT_EQ(r.err.find("is ignored"), std::string::npos) << r.err;

    // Without an optimizer, OneShot runs once and says that it ignores the budget.
    const auto v = run_mlosbench({"validate", "--environment", examples + "/mock/mock_env.jsonc",
                                  "--globals", examples + "/mock/globals.jsonc"},
                                 dir.path());
    ASSERT_EQ(v.exit_code, 0) << v.err;
    EXPECT_NE(v.out.find("max_suggestions 1,"), std::string::npos) << v.out;
    EXPECT_NE(v.err.find("mlosbench: warning: max_suggestions 20 (" + examples +
                         "/mock/globals.jsonc) is ignored: OneShotOptimizer (the default "
                         "without --optimizer) runs the current tunable values once; pass "
                         "--optimizer (e.g. optimizers/mock_opt.jsonc) to use it\n"),
              std::string::npos)
        << v.err;
}

TEST(Run, ShowEscapesControlCharactersAndJsonKeepsThem)
{
    TempDir dir;
    const fs::path db = dir.path() / "e.db";
    const auto env = dir.write("env.jsonc", R"({"name": "e", "class": "LocalEnv", "config": {
        "run": ["printf 'one\\033[2Jtwo\\r\\n'; exit 3"]}})");
    const std::string id = "x\x1b]0;owned\x07y";
    auto r = run_mlosbench(
        {"--environment", env.string(), "--storage", db.string(), "--experiment-id", id},
        dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("experiment  x\\x1b]0;owned\\x07y\n"), std::string::npos) << r.out;

    r = run_mlosbench({"show", "--storage", db.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("x\\x1b]0;owned\\x07y  "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;

    r = run_mlosbench({"show", id, "--trial", "1", "--storage", db.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("  | one\\x1b[2Jtwo\\r\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.out;

    r = run_mlosbench({"show", id, "--trial", "1", "--json", "--storage", db.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto trial = nlohmann::json::parse(r.out);
    EXPECT_EQ(trial["exp_id"], id);
    EXPECT_EQ(trial["stdout_tail"], "one\x1b[2Jtwo\r\n");

    r = run_mlosbench({"show", "", "--storage", db.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: EXP: expected an experiment id, got ''\n");
}
