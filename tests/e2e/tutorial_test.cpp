// docs/writing-a-benchmark.md works as written: its files, taken from the page, run.
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

/// Writes into `dir` every fenced block of the page whose first line is `// file: PATH` or
/// `# file: PATH` (that line left out); returns the paths written.
std::vector<std::string> write_tutorial_files(const TempDir& dir)
{
    const std::string page =
        read_file(tests_dir().parent_path() / "docs" / "writing-a-benchmark.md");
    std::istringstream in(page);
    std::vector<std::string> written;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("```", 0) != 0 || line.size() == 3) {
            continue;
        }
        std::string first;
        std::getline(in, first);
        std::string path;
        for (const std::string marker : {"// file: ", "# file: "}) {
            if (first.rfind(marker, 0) == 0) {
                path = first.substr(marker.size());
            }
        }
        std::string body;
        while (std::getline(in, line) && line != "```") {
            body += line + "\n";
        }
        if (!path.empty()) {
            dir.write(path, body);
            written.push_back(path);
        }
    }
    return written;
}

} // namespace

TEST(Tutorial, TheBenchmarkOfThePageValidatesRunsAndRunsItsBestAgain)
{
    TempDir dir;
    EXPECT_EQ(write_tutorial_files(dir),
              (std::vector<std::string>{"bench/tunables.jsonc", "bench/environment.jsonc",
                                        "bench/bench.sh", "bench/optimizer.jsonc",
                                        "bench/cli.jsonc", "bench/globals.jsonc"}));
    fs::permissions(dir.path() / "bench/bench.sh", fs::perms::owner_exec, fs::perm_options::add);
    const auto validated = run_mlosbench({"validate", "--config", "bench/cli.jsonc"}, dir.path());
    ASSERT_EQ(validated.exit_code, 0) << validated.err;
    EXPECT_NE(validated.out.find("    $ '" + (dir.path() / "bench/bench.sh").string() + "'\n"),
              std::string::npos)
        << validated.out;
    EXPECT_NE(validated.out.find("    buffer_mb=16\n"), std::string::npos) << validated.out;

    const auto ran = run_mlosbench({"--config", "bench/cli.jsonc", "--json"}, dir.path());
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
    EXPECT_EQ(nlohmann::json::parse(ran.out)["trials"]["by_status"]["SUCCEEDED"], 8) << ran.out;
    const fs::path db = dir.path() / "mlosbench.db";
    // Results, telemetry from the file and from post-metric, for every trial.
    EXPECT_EQ(sql_rows(db, "SELECT COUNT(DISTINCT trial_id) FROM trial_result WHERE metric_id "
                           "= 'score'"),
              std::vector<std::string>{"8"});
    EXPECT_EQ(sql_rows(db, "SELECT DISTINCT metric_value FROM trial_telemetry WHERE metric_id "
                           "= 'sorted_lines'"),
              std::vector<std::string>{"200000"});
    EXPECT_EQ(sql_rows(db, "SELECT COUNT(*) FROM trial_telemetry WHERE metric_id = "
                           "'output_bytes'"),
              std::vector<std::string>{"8"});

    // Section 6: the best config, written to a file and run again.
    const auto saved = run_mlosbench({"show", "sort-tuning", "--best", "--tunable-values",
                                      "best.jsonc"},
                                     dir.path());
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    const auto again = run_mlosbench({"--environment", "bench/environment.jsonc",
                                      "--tunable-values", "best.jsonc", "--experiment-id",
                                      "sort-best", "--json"},
                                     dir.path());
    ASSERT_EQ(again.exit_code, 0) << again.err;
    const auto best = nlohmann::json::parse(
        run_mlosbench({"show", "sort-tuning", "--best", "--json"}, dir.path()).out);
    EXPECT_EQ(nlohmann::json::parse(again.out)["best"]["config"], best["config"]);
}
