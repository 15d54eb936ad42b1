// How a run tells its progress: a line per finished trial where stderr is a file or a pipe
// (CI), a progress line redrawn in place on a terminal, timestamps in the log file, each
// command once at debug.
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

/// A LocalEnv over x in 1..3 scored 10 x, whose trial with x = 2 fails (exit 3, after a line
/// on stderr) and, with `slow_x2`, first runs for 6 s; a grid runs x = 1, 2, 3 in that order.
void write_sweep(const TempDir& dir, bool slow_x2 = false)
{
    dir.write("tunables.jsonc", R"({"g": {"cost": 1, "params": {
        "x": {"type": "int", "range": [1, 3], "default": 1}}}})");
    dir.write("grid.jsonc", R"({"class": "GridSearchOptimizer", "config": {
        "max_suggestions": 3}})");
    dir.write("env.jsonc", std::string(R"({"name": "sweep", "class": "LocalEnv",
        "include_tunables": ["tunables.jsonc"],
        "config": {"tunable_params": ["g"], "shell_env_params": ["x"],
          "run": [)") + (slow_x2 ? R"("if [ \"$x\" = 2 ]; then sleep 6; fi",)" : "") +
                                 R"("echo marker-$x",
            "if [ \"$x\" = 2 ]; then echo 'x=2 is broken' >&2; exit 3; fi",
            "printf 'metric,value\nscore,%s\n' \"$((x * 10))\" > results.csv"],
          "read_results_file": "results.csv"}})");
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::size_t count(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

} // namespace

TEST(Progress, NotOnATerminalEachTrialIsOneInfoLine)
{
    TempDir dir;
    write_sweep(dir);
    const auto r = run_mlosbench({"--environment", "env.jsonc", "--optimizer", "grid.jsonc",
                                  "--storage", "p.db", "--max-failed-share", "0.5"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string db = (dir.path() / "p.db").string();
    EXPECT_NE(r.err.find("mlosbench: info: experiment 'sweep' in " + db +
                         ": up to 3 trials, 1 trial runner\n"),
              std::string::npos)
        << r.err;
    const std::regex trial_line(
        R"(mlosbench: info: trial (\d) (SUCCEEDED|FAILED) after \d+\.\d{3} s(.*))");
    std::vector<std::string> tails;
    for (const auto& line : lines_of(r.err)) {
        std::smatch m;
        if (std::regex_match(line, m, trial_line)) {
            tails.push_back(m[1].str() + " " + m[2].str() + m[3].str());
        }
    }
    EXPECT_EQ(tails, (std::vector<std::string>{
                         "1 SUCCEEDED, score=10, tunables at their defaults",
                         "2 FAILED, tunables changed: x=2",
                         "3 SUCCEEDED, score=30, tunables changed: x=3",
                     }))
        << r.err;
    // No progress line: nothing redrawn, nothing erased.
    EXPECT_EQ(r.err.find('\r'), std::string::npos);
    EXPECT_EQ(r.err.find("\033["), std::string::npos);
}

TEST(Progress, LogFileLinesCarryUtcTimestamps)
{
    TempDir dir;
    write_sweep(dir);
    const auto r = run_mlosbench({"--environment", "env.jsonc", "--optimizer", "grid.jsonc",
                                  "--storage", "p.db", "--max-failed-share", "0.5",
                                  "--log-file", "run.log"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(read_file(dir.path() / "run.log"));
    ASSERT_GE(lines.size(), 5U);
    // Each record starts with its time; the stderr a warning quotes continues it.
    const std::regex stamped(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warning): .+)");
    for (const auto& line : lines) {
        EXPECT_TRUE(std::regex_match(line, stamped) || line == "stderr (last lines):" ||
                    line.rfind("  | ", 0) == 0)
            << line;
    }
    EXPECT_TRUE(std::regex_match(lines.front(), stamped)) << lines.front();
    EXPECT_EQ(count(read_file(dir.path() / "run.log"), " info: trial "), 3U);
}

TEST(Progress, DebugLogsEachCommandOnce)
{
    TempDir dir;
    write_sweep(dir);
    const auto r = run_mlosbench({"--environment", "env.jsonc", "--optimizer", "grid.jsonc",
                                  "--storage", "p.db", "--max-failed-share", "0.5",
                                  "--log-level", "debug"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The line as written, once per trial; with how it ended, where and how long it took.
    EXPECT_EQ(count(r.err, "`echo marker-$x`"), 3U) << r.err;
    const std::regex ended(R"(debug: `echo marker-\$x` in /\S+ exited 0 after \d+\.\d{3} s)");
    EXPECT_TRUE(std::regex_search(r.err, ended)) << r.err;
    EXPECT_EQ(count(r.err, "exit 3; fi` in "), 3U) << r.err;
    EXPECT_EQ(count(r.err, " exited 3 after "), 1U) << r.err; // x = 2 only
}

TEST(Progress, OnATerminalOneLineIsRedrawnAndWarningsDoNotBreakIt)
{
    TempDir dir;
    write_sweep(dir, /*slow_x2=*/true);
    // Two runners: x = 2 runs 6 s on one while x = 1 and x = 3 end quickly on the other, so
    // the slow one is named once it ran past twice the median (at least 3 s).
    const auto r = run_mlosbench_on_terminal({"--environment", "env.jsonc", "--optimizer",
                                              "grid.jsonc", "--storage", "p.db",
                                              "--max-failed-share", "0.5",
                                              "--num-trial-runners", "2", "--log-file",
                                              "run.log"},
                                             dir.path(), {"LANG=C.UTF-8"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string& t = r.err;
    // Each redraw goes back to the start of the row and erases it.
    EXPECT_NE(t.find("\r\033[Ktrial "), std::string::npos) << t;
    EXPECT_NE(t.find(" \u00b7 "), std::string::npos) << t;
    EXPECT_TRUE(std::regex_search(t, std::regex("\\d running \\(\\d:\\d\\d\\)"))) << t;
    EXPECT_TRUE(std::regex_search(t, std::regex("trial 2 running 0:0[3-9]"))) << t;
    EXPECT_TRUE(std::regex_search(t, std::regex("\\d:\\d\\d elapsed \u00b7 ETA \\d:\\d\\d")))
        << t;
    // The last state stays on its line: all three trials, the failure, the best.
    EXPECT_TRUE(std::regex_search(
        t, std::regex("\r\033\\[Ktrial 3/3 \u00b7 1 failed \u00b7 best score 10 \\(trial 1\\) "
                      "\u00b7 0:\\d\\d elapsed\n$")))
        << t;
    // The warning of the failed trial is on a row of its own: the progress line was erased
    // first, and the warning's lines end before the line is drawn again.
    const auto warning = t.find("trial 2 FAILED: ");
    ASSERT_NE(warning, std::string::npos) << t;
    const auto row = t.rfind('\n', warning) == std::string::npos ? 0 : t.rfind('\n', warning) + 1;
    const auto erased = t.rfind("\r\033[K", warning);
    ASSERT_NE(erased, std::string::npos) << t;
    EXPECT_GE(erased, row) << t;
    EXPECT_EQ(t.substr(erased + 4, 11), "mlosbench: ") << t.substr(erased);
    const auto end_of_warning = t.find("x=2 is broken\n", warning);
    ASSERT_NE(end_of_warning, std::string::npos) << t;
    EXPECT_EQ(t.substr(end_of_warning + 14, 4), "\r\033[K") << t.substr(end_of_warning);
    // The finished-trial lines stay off the terminal, and go to the log file.
    EXPECT_EQ(t.find("SUCCEEDED after"), std::string::npos) << t;
    EXPECT_EQ(count(read_file(dir.path() / "run.log"), " info: trial "), 3U);
    // The summary is on stdout, not mixed into the terminal's line.
    EXPECT_NE(r.out.find("trials      3 (SUCCEEDED 2, FAILED 1)\n"), std::string::npos) << r.out;
}

TEST(Progress, TheSummarySaysWhatTheExperimentHolds)
{
    TempDir dir;
    write_sweep(dir);
    const std::vector<std::string> args = {"--environment", "env.jsonc", "--optimizer",
                                           "grid.jsonc", "--storage", "p.db",
                                           "--max-failed-share", "0.5"};
    auto first = args;
    first.insert(first.end(), {"--max-suggestions", "2"});
    ASSERT_EQ(run_mlosbench(first, dir.path()).exit_code, 0); // x = 1 ok, x = 2 failed
    auto second = args;
    second.insert(second.end(), {"--total-trials", "3", "--json"});
    const auto r = run_mlosbench(second, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["trials"]["total"], 1);
    EXPECT_EQ(summary["trials"]["experiment_finished"], 3);
    EXPECT_NE(r.err.find(": up to 1 trial, 1 trial runner\n"), std::string::npos) << r.err;
    second.pop_back(); // the text summary: nothing was left to run this time
    const auto text = run_mlosbench(second, dir.path());
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("trials      0; the experiment has 3 finished\n"), std::string::npos)
        << text.out;
}
