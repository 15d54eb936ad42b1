// What a trial's output becomes, end to end: the built binary runs real /bin/sh scripts, and
// the SQLite file it wrote is read back. Every wrong or odd output must give a FAILED trial
// with a reason, never another trial's numbers, a hang or a crash.
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

// An environment config `name`.jsonc in `dir`: a LocalEnv on the tunables of the e2e configs
// with `config` (a JSON object's members) as its config.
fs::path write_env(const TempDir& dir, const std::string& name, const std::string& config)
{
    return dir.write(name + ".jsonc",
                     R"({"name": ")" + name + R"(", "class": "LocalEnv", "include_tunables": [")" +
                         e2e_config("tunables.jsonc") +
                         R"("], "config": {"tunable_params": ["g"], )" + config + "}}");
}

CommandResult run(const TempDir& dir,
                  const fs::path& env,
                  const std::string& experiment,
                  std::vector<std::string> more = {})
{
    std::vector<std::string> args = {
        "--environment",   env.string(), "--storage",   (dir.path() / "t.db").string(),
        "--experiment-id", experiment,   "--state_dir", dir.path().string(),
        "--json"};
    args.insert(args.end(), more.begin(), more.end());
    return run_mlosbench(args, dir.path());
}

std::vector<std::string> statuses(const TempDir& dir, const std::string& experiment)
{
    return sql_rows(dir.path() / "t.db", "SELECT trial_id, status FROM trial WHERE exp_id = '" +
                                             experiment + "' ORDER BY trial_id");
}

std::string reason(const TempDir& dir, const std::string& experiment, int trial)
{
    return sql_value(dir.path() / "t.db", "SELECT reason FROM trial_output WHERE exp_id = '" +
                                              experiment +
                                              "' AND trial_id = " + std::to_string(trial));
}

// The working directory of the runner `runner` of `experiment` under `<dir>/work`.
std::string runner_dir(const TempDir& dir, const std::string& experiment, int runner)
{
    return fs::canonical(dir.path() / "work" / experiment / ("runner-" + std::to_string(runner)))
        .string();
}

} // namespace

TEST(TrialResults, ParallelRunnersSharingATempDirEachReadTheirOwnResults)
{
    TempDir dir;
    const auto r = run(dir, e2e_config("isolation_env.jsonc"), "iso",
                       {"--trial-config-repeat-count", "6", "--num-trial-runners", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path db = dir.path() / "t.db";
    // Each trial's score is its own id: no trial read a file another trial wrote.
    EXPECT_EQ(sql_rows(db, "SELECT trial_id, metric_value FROM trial_result WHERE exp_id = 'iso' "
                           "AND metric_id = 'score' ORDER BY trial_id"),
              (std::vector<std::string>{"1|1", "2|2", "3|3", "4|4", "5|5", "6|6"}));
    EXPECT_EQ(sql_value(db, "SELECT COUNT(DISTINCT trial_runner_id) FROM trial"), "3");
    // Each ran in its runner's subdirectory of the configured temp_dir.
    for (const auto& row : sql_rows(db, "SELECT trial_id, trial_runner_id FROM trial")) {
        const auto bar = row.find('|');
        const std::string trial = row.substr(0, bar);
        EXPECT_EQ(read_file(dir.path() / ("cwd-" + trial)),
                  runner_dir(dir, "iso", std::stoi(row.substr(bar + 1))) + "\n")
            << "trial " << trial;
    }
}

TEST(TrialResults, AResultsFileTheTrialDidNotWriteIsNotRead)
{
    TempDir dir;
    // Left over beside the config (the search path) and by trial 1 in the runner's directory.
    dir.write("results.csv", "metric,value\nscore,99\n");
    const fs::path env = write_env(dir, "stale", R"js(
        "temp_dir": "$state_dir/work", "required_args": ["state_dir"],
        "run": ["if [ $MLOSBENCH_TRIAL_ID = 1 ]; then printf 'score\n1\n' > results.csv; fi"],
        "read_results_file": "results.csv")js");
    const auto r = run(dir, env, "stale", {"--trial-config-repeat-count", "2"});
    EXPECT_EQ(r.exit_code, 1) << r.err; // 1 of 2 failed: more than --max-failed-share 0.2
    EXPECT_EQ(statuses(dir, "stale"), (std::vector<std::string>{"1|SUCCEEDED", "2|FAILED"}));
    EXPECT_EQ(reason(dir, "stale", 2), "results file '" + runner_dir(dir, "stale", 1) +
                                           "/results.csv' was not written by the trial");

    // A fresh directory per trial: the file beside the config is not read either.
    const fs::path fresh = write_env(dir, "fresh", R"js(
        "run": ["true"], "read_results_file": "results.csv")js");
    const auto f = run(dir, fresh, "fresh");
    EXPECT_EQ(f.exit_code, 1) << f.err;
    EXPECT_EQ(statuses(dir, "fresh"), std::vector<std::string>{"1|FAILED"});
    EXPECT_NE(reason(dir, "fresh", 1).find("' was not written by the trial"), std::string::npos)
        << reason(dir, "fresh", 1);
}

TEST(TrialResults, ATrialWithoutAUsableTargetFails)
{
    TempDir dir;
    const auto r = run(dir, e2e_config("bad_target_env.jsonc"), "bad",
                       {"--trial-config-repeat-count", "8", "--max-consecutive-failures", "0"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(statuses(dir, "bad"),
              (std::vector<std::string>{"1|FAILED", "2|FAILED", "3|FAILED", "4|FAILED", "5|FAILED",
                                        "6|FAILED", "7|FAILED", "8|SUCCEEDED"}));
    const std::string from = " the results of results file '" + runner_dir(dir, "bad", 1) +
                             "/results.csv' (metrics there: latency, score)";
    EXPECT_EQ(reason(dir, "bad", 1), "target 'score' is empty in" + from);
    EXPECT_EQ(reason(dir, "bad", 2), "target 'score' is 'nan', not a finite number, in" + from);
    EXPECT_EQ(reason(dir, "bad", 3), "target 'score' is 'inf', not a finite number, in" + from);
    EXPECT_EQ(reason(dir, "bad", 4), "target 'score' is 'fast', not a finite number, in" + from);
    EXPECT_EQ(reason(dir, "bad", 5), "target 'score' is '1e400', not a finite number, in" + from);
    EXPECT_EQ(reason(dir, "bad", 6),
              "target 'score' is '-Infinity', not a finite number, in" + from);
    EXPECT_EQ(reason(dir, "bad", 7),
              "target 'score' is missing from the results of results file '" +
                  runner_dir(dir, "bad", 1) + "/results.csv' (metrics there: latency)");
    // Nothing of a failed trial is a result; the console names the trial.
    EXPECT_EQ(sql_value(dir.path() / "t.db",
                        "SELECT COUNT(*) FROM trial_result WHERE exp_id = 'bad' AND trial_id < 8"),
              "0");
    EXPECT_NE(r.err.find("trial 7 FAILED: target 'score' is missing"), std::string::npos) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["failure"],
              "7 of 8 trials failed, more than --max-failed-share 0.2");

    // No usable score at all: exit 1.
    const auto none = run(dir, e2e_config("bad_target_env.jsonc"), "none");
    EXPECT_EQ(none.exit_code, 1) << none.err;
    EXPECT_EQ(nlohmann::json::parse(none.out)["failure"], "no trial succeeded");
}

TEST(TrialResults, LongOutputLinesDoNotCrashTheDriver)
{
    TempDir dir;
    // A 10 MB line (the last 1 MiB of stdout is kept and searched), then a 30,000-character
    // word (std::regex recursed once per character of it).
    const fs::path env = write_env(dir, "long", R"js(
        "run": ["head -c 10000000 /dev/zero | tr '\\0' w; echo ' score=3'",
                "head -c 30000 /dev/zero | tr '\\0' w; echo; echo 'latency: 4'"],
        "results_stdout_pattern": "(\\w+)\\s*[:=]\\s*([0-9.eE+-]+)")js");
    const auto r = run(dir, env, "long");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sql_rows(dir.path() / "t.db",
                       "SELECT metric_id, metric_value FROM trial_result ORDER BY metric_id"),
              (std::vector<std::string>{"latency|4", "score|3"}));
}

TEST(TrialResults, AResultsFileThatIsNotARegularFileFailsTheTrial)
{
    TempDir dir;
    const fs::path env = write_env(dir, "odd", R"js(
        "temp_dir": "$state_dir/work", "required_args": ["state_dir"],
        "run": ["case $MLOSBENCH_TRIAL_ID in 1) mkfifo results.csv ;; 2) ln -s /dev/zero results.csv ;; 3) printf 'score\n1\n' > results.csv ;; *) mkdir results.csv ;; esac"],
        "read_results_file": "results.csv")js");
    const auto r = run(dir, env, "odd", {"--trial-config-repeat-count", "4"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    // Trial 3 works where trials 1 and 2 left a FIFO and a symlink: both were removed first.
    EXPECT_EQ(statuses(dir, "odd"),
              (std::vector<std::string>{"1|FAILED", "2|FAILED", "3|SUCCEEDED", "4|FAILED"}));
    const std::string file = "results file '" + runner_dir(dir, "odd", 1) + "/results.csv' is ";
    EXPECT_EQ(reason(dir, "odd", 1), file + "a FIFO, not a regular file");
    EXPECT_EQ(reason(dir, "odd", 2), file + "a character device, not a regular file");
    EXPECT_EQ(reason(dir, "odd", 4), file + "a directory, not a regular file");
}

TEST(TrialResults, AFailedTrialsStderrCannotDriveTheTerminal)
{
    TempDir dir;
    // An OSC title change and a cursor move in the script's stderr, quoted by the warning.
    const fs::path env = write_env(dir, "esc", R"js(
        "run": ["printf 'first\\033]0;pwned\\007\\nsecond\\033[2J\\n' >&2; exit 3"])js");
    const auto r = run(dir, env, "esc");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\x07'), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("\n  | first\\x1b]0;pwned\\x07\n  | second\\x1b[2J"), std::string::npos)
        << r.err;
}

TEST(TrialResults, AFailedTrialsWarningShowsTheLastLinesOfItsStderr)
{
    TempDir dir;
    const fs::path env = write_env(dir, "noisy", R"js(
        "run": ["for i in 1 2 3 4 5 6 7; do echo \"line $i\" >&2; done; exit 3"])js");
    const auto r = run(dir, env, "noisy");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("trial 1 FAILED: run: 'for i in 1 2 3 4 5 6 7; do echo \"line $i\" >&2; "
                         "done; exit 3' exited with code 3\nstderr (last lines):\n  | line 3\n"
                         "  | line 4\n  | line 5\n  | line 6\n  | line 7\n"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("line 2"), std::string::npos) << r.err;
}

TEST(TrialResults, WhatTheLinesLeaveRunningEndsWithTheTrialOrTheEnvironment)
{
    TempDir dir;
    const std::string d = dir.path().string();
    // Setup starts a server once (the trials use it); each run leaves a background job and a
    // setsid daemon that holds the line's stdout.
    const fs::path env = write_env(dir, "leftovers", R"js(
        "setup": ["[ -s )js" + d + R"js(/server ] || { sleep 100 >/dev/null 2>&1 & echo $! > )js" +
                                   d + R"js(/server; }"],
        "run": ["kill -0 $(cat )js" + d + R"js(/server)",
                "sleep 100 >/dev/null 2>&1 & echo $! > )js" + d + R"js(/job-$MLOSBENCH_TRIAL_ID",
                "setsid sleep 100 & echo $! > )js" + d + R"js(/daemon-$MLOSBENCH_TRIAL_ID",
                "printf 'score\n1\n' > results.csv"],
        "read_results_file": "results.csv")js");
    auto r = run(dir, env, "left", {"--trial-config-repeat-count", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The server lived through every trial's run, and went at the end.
    EXPECT_EQ(statuses(dir, "left"),
              (std::vector<std::string>{"1|SUCCEEDED", "2|SUCCEEDED", "3|SUCCEEDED"}));
    EXPECT_FALSE(is_running(read_pid(dir.path() / "server")));
    for (const std::string trial : {"1", "2", "3"}) {
        EXPECT_FALSE(is_running(read_pid(dir.path() / ("job-" + trial)))) << trial;
        EXPECT_FALSE(is_running(read_pid(dir.path() / ("daemon-" + trial)))) << trial;
    }
    // The daemon holding stdout cost no grace period (5 s before).
    EXPECT_LT(std::stod(sql_value(dir.path() / "t.db",
                                  "SELECT MAX((julianday(ts_end) - julianday(ts_start)) * 86400) "
                                  "FROM trial WHERE exp_id = 'left'")),
              4.0);

    // With --no-teardown, the environment is left up: the server keeps running.
    fs::remove(dir.path() / "server");
    r = run(dir, env, "left-up", {"--no-teardown"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const int server = read_pid(dir.path() / "server");
    EXPECT_TRUE(is_running(server));
    ::kill(server, SIGKILL);
    EXPECT_FALSE(is_running(read_pid(dir.path() / "job-1")));
}

TEST(TrialResults, ScriptsFindMlosbenchOnTheirPathWithoutSetUp)
{
    TempDir dir;
    // `mlosbench` by its name alone: the driver's PATH (below) does not hold its directory.
    const fs::path env = write_env(dir, "poster", R"(
        "run": ["mlosbench post-metric loss 0.25",
                "echo \"$MLOSBENCH_BIN\" > )" + (dir.path() / "bin.txt").string() + R"(",
                "echo \"$PATH\" > )" + (dir.path() / "path.txt").string() + R"(",
                "printf 'score\n1\n' > results.csv"],
        "read_results_file": "results.csv")");
    const auto r = run_mlosbench({"--environment", env.string(), "--storage",
                                  (dir.path() / "t.db").string(), "--experiment-id", "poster"},
                                 dir.path(), {"PATH=/usr/bin:/bin"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(statuses(dir, "poster"), std::vector<std::string>{"1|SUCCEEDED"});
    EXPECT_EQ(sql_rows(dir.path() / "t.db", "SELECT metric_id, metric_value FROM "
                                             "trial_telemetry WHERE exp_id = 'poster'"),
              std::vector<std::string>{"loss|0.25"});
    const fs::path binary = fs::canonical(mlosbench_binary());
    EXPECT_EQ(read_file(dir.path() / "bin.txt"), binary.string() + "\n");
    EXPECT_EQ(read_file(dir.path() / "path.txt"),
              binary.parent_path().string() + ":/usr/bin:/bin\n");
}
