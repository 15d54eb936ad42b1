// `export -o F.zip`, `plot` and `report` end to end: real experiments made by `run`, the
// archive read back with libzip and compared with the SQLite rows, the images parsed, the
// HTML page loaded in headless Chromium.
#include "mlosbench/util/process.hpp"
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"
#include "support/zip_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <regex>
#include <set>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

// Each row of `sql` as its columns joined by ",", one line each.
std::string csv_rows(const fs::path& db, const std::string& sql)
{
    std::string out;
    for (const auto& row : sql_rows(db, sql, ',')) {
        out += row + "\n";
    }
    return out;
}

std::map<std::string, std::string> read_zip(const fs::path& path, std::vector<std::string>& names)
{
    std::map<std::string, std::string> entries;
    for (auto& entry : read_zip_entries(path)) {
        names.push_back(entry.name);
        entries[entry.name] = std::move(entry.contents);
    }
    return entries;
}

std::size_t count(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

// Panels of a gnuplot SVG: its series are named "gnuplot_plot_<n><panel letter>".
std::set<std::string> panels_of(const std::string& svg)
{
    std::set<std::string> panels;
    const std::regex series("id=\"gnuplot_plot_[0-9]+([a-z]+)\"");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), series);
         it != std::sregex_iterator(); ++it) {
        panels.insert((*it)[1]);
    }
    return panels;
}

// Experiments in one storage file, each made by `run` the first time a test asks for it (ctest
// runs every case in its own process): "res1": 5 trials of local_env.jsonc (telemetry: 2
// samples each; tunables x and mode); "flaky": 12 trials of which those with x > 60 fail;
// "dead": 2 trials that all fail.
class PlotReport : public SharedStorageTest
{
protected:
    static void SetUpTestSuite() { open_storage("r.db"); }
    static void make(const std::string& exp_id)
    {
        if (!s_made.insert(exp_id).second) {
            return;
        }
        CommandResult r;
        if (exp_id == "res1") {
            r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                               e2e_config("mock_opt.jsonc"), "--storage", s_db.string(),
                               "--experiment-id", "res1"},
                              s_dir->path());
            ASSERT_EQ(r.exit_code, 0) << r.err;
        } else if (exp_id == "flaky") {
            s_dir->write("flaky.jsonc", R"({
                "name": "flaky", "class": "LocalEnv",
                "include_tunables": [")" + e2e_config("tunables.jsonc") +
                                            R"("],
                "config": {
                    "tunable_params": ["g"], "shell_env_params": ["x"],
                    "run": ["if [ \"$x\" -gt 60 ]; then exit 1; fi",
                            "printf 'metric,value\\nscore,%s\\n' \"$x\" > results.csv"],
                    "read_results_file": "results.csv"}})");
            s_dir->write("opt12.jsonc", R"({"class": "MockOptimizer",
                                            "config": {"max_suggestions": 12, "seed": 3}})");
            r = run_mlosbench({"--environment", "flaky.jsonc", "--optimizer", "opt12.jsonc",
                               "--storage", s_db.string(), "--experiment-id", "flaky",
                               "--max-failed-share", "1", "--max-consecutive-failures", "0"},
                              s_dir->path());
            ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
        } else {
            s_dir->write("dead.jsonc", R"({"name": "dead", "class": "LocalEnv",
                "include_tunables": [")" + e2e_config("tunables.jsonc") +
                                           R"("],
                "config": {"tunable_params": ["g"], "run": ["exit 1"]}})");
            s_dir->write("opt2.jsonc", R"({"class": "MockOptimizer",
                                           "config": {"max_suggestions": 2, "seed": 3}})");
            r = run_mlosbench({"--environment", "dead.jsonc", "--optimizer", "opt2.jsonc",
                               "--storage", s_db.string(), "--experiment-id", "dead"},
                              s_dir->path());
            ASSERT_EQ(r.exit_code, 1) << r.err;
        }
    }
    static fs::path path(const std::string& name) { return s_dir->path() / name; }

    static std::set<std::string> s_made;
};

std::set<std::string> PlotReport::s_made;

} // namespace

TEST_F(PlotReport, ExportZipHoldsResultsAndTelemetry)
{
    ASSERT_NO_FATAL_FAILURE(make("res1"));
    const auto r = mlosbench({"export", "res1", "--format", "csv", "-o", path("x.zip").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    std::vector<std::string> names;
    const auto entries = read_zip(path("x.zip"), names);
    EXPECT_EQ(names, (std::vector<std::string>{"results.csv", "telemetry.csv"}));

    // results.csv: header, then the trials in id order with their stored columns.
    const std::string& results = entries.at("results.csv");
    EXPECT_EQ(results.substr(0, results.find('\n')),
              "trial_id,ts_start,ts_end,tunable_config_id,tunable_config_trial_group_id,status,"
              "trial_runner_id,config.mode,config.x,result.latency,result.mode,result.score");
    EXPECT_EQ(count(results, "\n"), 1 + std::stoul(sql_value(s_db, "SELECT COUNT(*) FROM trial "
                                                                   "WHERE exp_id = 'res1'")));
    const std::string trial_columns =
        csv_rows(s_db, "SELECT trial_id, ts_start, ts_end, config_id FROM trial WHERE exp_id = "
                       "'res1' ORDER BY trial_id");
    std::string exported_columns;
    for (std::size_t at = results.find('\n') + 1; at < results.size();) {
        const auto end = results.find('\n', at);
        const std::string line = results.substr(at, end - at);
        std::size_t cut = 0;
        for (int i = 0; i < 4; ++i) {
            cut = line.find(',', cut) + 1;
        }
        exported_columns += line.substr(0, cut - 1) + "\n";
        at = end + 1;
    }
    EXPECT_EQ(exported_columns, trial_columns);

    // telemetry.csv: every trial_telemetry row, time in ISO 8601 UTC.
    const std::string expected =
        "trial_id,ts,metric,value\n" +
        csv_rows(s_db, "SELECT trial_id, replace(ts, ' ', 'T') || 'Z', metric_id, metric_value "
                       "FROM trial_telemetry WHERE exp_id = 'res1' ORDER BY trial_id, ts, "
                       "metric_id");
    EXPECT_EQ(entries.at("telemetry.csv"), expected);
    EXPECT_EQ(count(expected, "\n"), 1 + 2 * 5U); // two samples per trial were recorded

    // Without .zip, --telemetry gives the same table on stdout.
    const auto t = mlosbench({"export", "res1", "--format", "csv", "--telemetry"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_EQ(t.out, expected);
}

TEST_F(PlotReport, ExportZipAsJson)
{
    ASSERT_NO_FATAL_FAILURE(make("res1"));
    const auto r = mlosbench({"export", "res1", "--format", "json", "-o", path("j.zip").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> names;
    const auto entries = read_zip(path("j.zip"), names);
    EXPECT_EQ(names, (std::vector<std::string>{"results.json", "telemetry.json"}));
    const auto results = nlohmann::json::parse(entries.at("results.json"));
    ASSERT_EQ(results.size(), 5U);
    EXPECT_EQ(results[4]["trial_id"], 5);
    EXPECT_EQ(
        results[4]["config.x"],
        std::stoll(sql_value(s_db, "SELECT param_value FROM config_param WHERE param_id = 'x' "
                                   "AND config_id = (SELECT config_id FROM trial WHERE "
                                   "exp_id = 'res1' AND trial_id = 5)")));
    const auto telemetry = nlohmann::json::parse(entries.at("telemetry.json"));
    ASSERT_EQ(telemetry.size(), std::stoul(sql_value(s_db, "SELECT COUNT(*) FROM trial_telemetry "
                                                           "WHERE exp_id = 'res1'")));
    EXPECT_EQ(telemetry[0]["trial_id"], 1);
    EXPECT_EQ(telemetry[0]["metric"], "cpu");
    EXPECT_EQ(telemetry[0]["value"], 0.5);
    EXPECT_EQ(telemetry[0]["ts"],
              sql_value(s_db, "SELECT replace(MIN(ts), ' ', 'T') || 'Z' FROM trial_telemetry WHERE "
                              "exp_id = 'res1' AND trial_id = 1"));
}

TEST_F(PlotReport, PlotSvgHasAPanelPerTunableAndMarksFailures)
{
    ASSERT_NO_FATAL_FAILURE(make("res1"));
    ASSERT_NO_FATAL_FAILURE(make("flaky"));
    auto r = mlosbench({"plot", "res1", "-o", path("p.svg").string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["metric"], "score");
    EXPECT_EQ(summary["panels"], 3); // score per trial, x, mode
    std::string svg = read_file(path("p.svg"));
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_EQ(panels_of(svg).size(), 3U);
    EXPECT_NE(svg.find("<text>res1: score per trial (min is better)</text>"), std::string::npos);
    EXPECT_NE(svg.find("<text>mode</text>"), std::string::npos);
    EXPECT_NE(svg.find("<text>x</text>"), std::string::npos);
    EXPECT_NE(svg.find("<text>best so far (min)</text>"), std::string::npos);
    EXPECT_EQ(svg.find("failed, no score"), std::string::npos); // none failed

    r = mlosbench({"plot", "flaky", "-o", path("f.svg").string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    summary = nlohmann::json::parse(r.out);
    const auto failed = std::stoul(sql_value(s_db, "SELECT COUNT(*) FROM trial WHERE exp_id = "
                                                   "'flaky' AND status = 'FAILED'"));
    ASSERT_GT(failed, 0U);
    EXPECT_EQ(summary["failed"], failed);
    EXPECT_EQ(summary["scored"], std::stoul(sql_value(s_db, "SELECT COUNT(*) FROM trial WHERE "
                                                            "exp_id = 'flaky' AND status = "
                                                            "'SUCCEEDED'")));
    svg = read_file(path("f.svg"));
    EXPECT_NE(svg.find("<text>failed, no score (" + std::to_string(failed) + ")</text>"),
              std::string::npos);
    EXPECT_NE(svg.find("id=\"gnuplot_plot_3a\""), std::string::npos); // score, best, failed
}

TEST_F(PlotReport, PlotPng)
{
    ASSERT_NO_FATAL_FAILURE(make("res1"));
    const auto r = mlosbench({"plot", "res1", "-o", path("p.png").string(), "--metric", "latency"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "wrote " + path("p.png").string() +
                         ": latency of 5 trials (0 failed), 3 "
                         "panels\n");
    const std::string png = read_file(path("p.png"));
    ASSERT_GT(png.size(), 24U);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(png.substr(12, 4), "IHDR");
    const auto be32 = [&](std::size_t at) {
        return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24U) |
               (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16U) |
               (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8U) |
               static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
    };
    EXPECT_EQ(be32(16), 960U);        // width
    EXPECT_EQ(be32(20), 380U + 280U); // score chart, then one row of tunable panels
    EXPECT_GT(png.size(), 10000U);
}

TEST_F(PlotReport, PlotErrors)
{
    ASSERT_NO_FATAL_FAILURE(make("res1"));
    ASSERT_NO_FATAL_FAILURE(make("dead"));
    auto r = mlosbench({"plot", "nope", "-o", path("n.svg").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown experiment 'nope'\n");
    r = mlosbench({"plot", "res1", "-o", path("n.svg").string(), "--metric", "nope"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: --metric: unknown metric 'nope' in experiment 'res1' "
                     "(its metrics: latency, mode, score)\n");
    r = mlosbench({"plot", "res1", "-o", path("n.jpg").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: -o: cannot tell the image format of '" +
                         path("n.jpg").string() + "': expected a name ending in .svg or .png\n");
    r = mlosbench({"plot", "res1"});
    EXPECT_EQ(r.exit_code, 2);
    r = mlosbench({"plot", "dead", "-o", path("n.svg").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "mlosbench: error: experiment 'dead' has no successful trial with a "
                     "numeric 'score' to plot\n");
    EXPECT_FALSE(fs::exists(path("n.svg")));
    EXPECT_FALSE(fs::exists(path("n.jpg")));
}

TEST_F(PlotReport, PlotWithoutGnuplotSaysSo)
{
    ASSERT_NO_FATAL_FAILURE(make("res1"));
    const fs::path empty = path("empty-bin");
    fs::create_directories(empty);
    const auto r =
        run_mlosbench({"plot", "res1", "-o", path("g.svg").string(), "--storage", s_db.string()},
                      s_dir->path(), {"PATH=" + empty.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "mlosbench: error: gnuplot not found on PATH: plots are drawn by gnuplot "
                     "(Debian: apt-get install gnuplot-nox)\n");
}

TEST_F(PlotReport, ReportOpensInHeadlessChromium)
{
    ASSERT_NO_FATAL_FAILURE(make("flaky"));
    const fs::path chromium = "/usr/bin/chromium";
    ASSERT_TRUE(fs::exists(chromium)) << "the report test needs Chromium (scripts/setup.sh)";
    const auto r = mlosbench({"report", "flaky", "-o", path("r.html").string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["figures"], 2);
    const std::string page = read_file(path("r.html"));
    // Self-contained: no script, stylesheet or image to fetch.
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
    EXPECT_EQ(page.find(" src="), std::string::npos);
    EXPECT_EQ(page.find("href=\"http"), std::string::npos);

    const fs::path profile = path("chromium-profile");
    fs::create_directories(profile);
    mlosbench::ProcessOptions options;
    options.command = chromium.string() +
                      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                      "--disable-background-networking --disable-component-update --disable-sync "
                      "--user-data-dir='" +
                      profile.string() + "' --dump-dom 'file://" + path("r.html").string() + "'";
    options.env = mlosbench::current_environment();
    options.timeout_seconds = 60;
    options.kill_grace_seconds = 1;
    const auto dom = mlosbench::run_process(options);
    ASSERT_FALSE(dom.timed_out) << dom.err;
    ASSERT_EQ(dom.exit_code, 0) << dom.err;
    // Both charts parsed as SVG elements, and one table row per trial.
    EXPECT_EQ(count(dom.out, "<svg"), 2U) << dom.out.substr(0, 2000);
    // (the browser adds a tbody to the summary table too: look inside the trials table)
    const auto body_start = dom.out.find("<tbody>", dom.out.find("<table id=\"trials\">"));
    ASSERT_NE(body_start, std::string::npos) << dom.out.substr(0, 2000);
    const std::string body =
        dom.out.substr(body_start, dom.out.find("</tbody>", body_start) - body_start);
    EXPECT_EQ(count(body, "<tr>"), std::stoul(sql_value(s_db, "SELECT COUNT(*) FROM trial WHERE "
                                                              "exp_id = 'flaky'")));
    EXPECT_NE(dom.out.find("<h1>Experiment flaky</h1>"), std::string::npos);
}

TEST_F(PlotReport, ReportWithoutSuccessfulTrialExplains)
{
    ASSERT_NO_FATAL_FAILURE(make("dead"));
    const auto r = mlosbench({"report", "dead", "-o", path("d.html").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string page = read_file(path("d.html"));
    EXPECT_NE(page.find("<p class=\"note\">no charts: experiment &#39;dead&#39; has no "
                        "successful trial with a numeric &#39;score&#39; to plot</p>"),
              std::string::npos);
    EXPECT_EQ(count(page.substr(page.find("<table id=\"trials\">")), "<tr>"), 1U + 2U);
    const auto bad = mlosbench({"report", "dead", "-o", path("d.html").string(), "--metric", "x"});
    EXPECT_EQ(bad.exit_code, 2);
}

// Scores near the ends of a double, beside a failed trial: gnuplot cannot scale such an axis,
// so they are drawn at +/-1e307 and the chart says so; plot and report both succeed.
TEST(PlotExtremes, ScoresNearTheEndsOfADoubleAreDrawnAtTheEdge)
{
    TempDir dir;
    dir.write("huge.jsonc", R"({"name": "huge", "class": "LocalEnv",
        "include_tunables": [")" + e2e_config("tunables.jsonc") +
                                R"("],
        "config": {"tunable_params": ["g"], "read_results_file": "results.csv",
            "run": ["case $MLOSBENCH_TRIAL_ID in 1) s=1.7e308;; 2) s=-1.7e308;; 3) exit 3;; *) s=1;; esac; printf 'metric,value\\nscore,%s\\n' $s > results.csv"]}})");
    dir.write("opt.jsonc", R"({"class": "MockOptimizer", "config": {"max_suggestions": 4}})");
    const fs::path db = dir.path() / "huge.db";
    auto r = run_mlosbench({"--environment", "huge.jsonc", "--optimizer", "opt.jsonc",
                            "--storage", db.string(), "--experiment-id", "huge",
                            "--max-failed-share", "1"},
                           dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_mlosbench({"plot", "huge", "-o", "huge.svg", "--storage", db.string()}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string svg = read_file(dir.path() / "huge.svg");
    EXPECT_NE(svg.find("<text>2 beyond +/-1e307, drawn at the edge</text>"), std::string::npos);
    EXPECT_NE(svg.find("<text>failed, no score (1)</text>"), std::string::npos);
    r = run_mlosbench({"report", "huge", "-o", "huge.html", "--storage", db.string()},
                      dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
}
