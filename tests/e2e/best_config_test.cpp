// The best config, found and run again: `show EXP --best`, a tunable-values file written from
// a stored trial, and a run that applies it.
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

/// x in 1..3 and mode a|b score (x - 2)^2 + 5, plus 1 for mode a: lowest, 5, at x = 2 with
/// mode b. A grid runs all six.
void write_sweep(const TempDir& dir, const std::string& run_line)
{
    dir.write("tunables.jsonc", R"({"g": {"cost": 1, "params": {
        "x": {"type": "int", "range": [1, 3], "default": 1},
        "mode": {"type": "categorical", "values": ["a", "b"], "default": "a"}}}})");
    dir.write("grid.jsonc", R"({"class": "GridSearchOptimizer", "config": {
        "max_suggestions": 6}})");
    dir.write("env.jsonc", R"({"name": "sweep", "class": "LocalEnv",
        "include_tunables": ["tunables.jsonc"],
        "config": {"tunable_params": ["g"], "shell_env_params": ["x", "mode"],
          "run": [")" + run_line + R"("], "read_results_file": "results.csv"}})");
}

const char* const k_scored =
    R"(s=$(( (x - 2) * (x - 2) + 5 )); if [ \"$mode\" = a ]; then s=$((s + 1)); fi; )"
    R"(printf 'metric,value\\nscore,%s\\n' \"$s\" > results.csv)";

/// The trial that scored lowest, as SQLite has it.
std::string lowest_trial(const fs::path& db)
{
    return sql_rows(db, "SELECT trial_id FROM trial_result WHERE metric_id = 'score' ORDER BY "
                        "CAST(metric_value AS REAL), trial_id LIMIT 1")
        .at(0);
}

} // namespace

TEST(BestConfig, ShowBestPrintsTheTrialThatScoredBest)
{
    TempDir dir;
    write_sweep(dir, k_scored);
    const auto ran = run_mlosbench({"--environment", "env.jsonc", "--optimizer", "grid.jsonc",
                                    "--storage", "p.db"},
                                   dir.path());
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
    const std::string best = lowest_trial(dir.path() / "p.db");
    const auto r = run_mlosbench({"show", "sweep", "--best", "--storage", "p.db"}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("experiment  sweep\ntrial       " + best + "\n", 0), 0U) << r.out;
    EXPECT_NE(r.out.find("\nparameters:\n  mode = b\n  x = 2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nresults:\n  score = 5\n"), std::string::npos) << r.out;
    const auto json = run_mlosbench({"show", "sweep", "--best", "--storage", "p.db", "--json"},
                                    dir.path());
    EXPECT_EQ(nlohmann::json::parse(json.out)["trial_id"], std::stoi(best));
}

TEST(BestConfig, ATunableValuesFileOfTheBestTrialRunsItAgain)
{
    TempDir dir;
    write_sweep(dir, k_scored);
    ASSERT_EQ(run_mlosbench({"--environment", "env.jsonc", "--optimizer", "grid.jsonc",
                             "--storage", "p.db"},
                            dir.path())
                  .exit_code,
              0);
    const auto saved = run_mlosbench({"show", "sweep", "--best", "--tunable-values",
                                      "best.jsonc", "--storage", "p.db"},
                                     dir.path());
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    const std::string file = read_file(dir.path() / "best.jsonc");
    EXPECT_EQ(file, "// The tunable values of trial " + lowest_trial(dir.path() / "p.db") +
                        " of experiment 'sweep' (SUCCEEDED, score=5) in " +
                        (dir.path() / "p.db").string() +
                        ".\n// Run them again: mlosbench ... --tunable-values THIS_FILE\n"
                        "{\n    \"mode\": \"b\",\n    \"x\": 2\n}\n");
    // The same document on stdout with '-', and for any trial.
    const auto first = run_mlosbench({"show", "sweep", "--trial", "1", "--tunable-values", "-",
                                      "--storage", "p.db"},
                                     dir.path());
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.out.find("(SUCCEEDED, score=7) in "), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("{\n    \"mode\": \"a\",\n    \"x\": 1\n}\n"), std::string::npos)
        << first.out; // the defaults
    // OneShot runs the file's values: the best config, in a new experiment.
    const auto rerun = run_mlosbench({"--environment", "env.jsonc", "--tunable-values",
                                      "best.jsonc", "--experiment-id", "again", "--storage",
                                      "p.db", "--json"},
                                     dir.path());
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    const auto summary = nlohmann::json::parse(rerun.out);
    EXPECT_EQ(summary["best"]["scores"]["score"], 5);
    EXPECT_EQ(sql_rows(dir.path() / "p.db",
                       "SELECT param_id, param_value FROM config_param JOIN trial USING "
                       "(config_id) WHERE exp_id = 'again' ORDER BY param_id"),
              (std::vector<std::string>{"mode|b", "x|2"}));
}

TEST(BestConfig, NoBestWhenNothingSucceeded)
{
    TempDir dir;
    write_sweep(dir, "exit 3");
    const auto ran = run_mlosbench({"--environment", "env.jsonc", "--storage", "p.db"},
                                   dir.path());
    ASSERT_EQ(ran.exit_code, 1) << ran.err;
    const auto r = run_mlosbench({"show", "sweep", "--best", "--storage", "p.db"}, dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "mlosbench: error: --best: experiment 'sweep' has no successful trial yet\n");
    const auto alone = run_mlosbench({"show", "sweep", "--tunable-values", "x.jsonc",
                                      "--storage", "p.db"},
                                     dir.path());
    EXPECT_EQ(alone.exit_code, 2);
    EXPECT_EQ(alone.err, "mlosbench: error: --tunable-values: --tunable-values needs --trial N "
                         "or --best\n");
    EXPECT_FALSE(fs::exists(dir.path() / "x.jsonc"));
    const auto both = run_mlosbench({"show", "sweep", "--best", "--trial", "1", "--storage",
                                     "p.db"},
                                    dir.path());
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_NE(both.err.find("--trial excludes --best"), std::string::npos) << both.err;
}
