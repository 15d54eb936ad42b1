// `export -o F.zip`, `plot` and `report` end to end: real experiments made by `run`, the
// archive read back with libzip and compared with the SQLite rows, the images parsed, the
// HTML page loaded in headless Chromium.
#include "mlosbench/util/process.hpp"
#include "support/sql_rows.hpp"
#include "support/test_support.hpp"
#include "support/zip_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

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
                    "run": ["if [ \"$x\" -gt 60 ]; then echo \"x=$x is too big\" >&2; exit 1; fi",
                            "printf 'metric,value\\nscore,%s\\n' \"$x\" > results.csv"],
                    "read_results_file": "results.csv"}})");
            s_dir->write("opt12.jsonc", R"({"class": "MockOptimizer",
                                            "config": {"max_suggestions": 12, "seed": 3}})");
            r = run_mlosbench({"--environment", "flaky.jsonc", "--optimizer", "opt12.jsonc",
                               "--storage", s_db.string(), "--experiment-id", "flaky",
                               "--max-failed-share", "1", "--max-consecutive-failures", "0"},
                              s_dir->path());
            ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
        } else if (exp_id == "axes") {
            s_dir->write("axes_tunables.jsonc", R"({"g": {"cost": 1, "params": {
                "buffer_kb": {"type": "int", "range": [1, 65536], "log": true, "default": 64},
                "learning_rate": {"type": "float", "range": [0.0001, 1.0], "log": true,
                                  "default": 0.01},
                "migration_cost_ns": {"type": "int", "range": [0, 500000], "special": [-1],
                                      "default": 125000},
                "threads": {"type": "int", "range": [1, 8], "default": 2},
                "eviction_policy_of_the_buffer_cache": {"type": "categorical",
                    "values": ["least-recently-used", "least-frequently-used",
                               "first-in-first-out", "random"], "default": "random"},
                "ratio": {"type": "float", "range": [0.0, 1.0], "default": 0.5}}}})");
            s_dir->write("axes.jsonc", R"({"name": "axes", "class": "MockEnv",
                "include_tunables": ["axes_tunables.jsonc"],
                "config": {"tunable_params": ["g"], "mock_env_seed": 42,
                           "mock_env_range": [60, 120], "mock_env_metrics": ["score"]}})");
            s_dir->write("opt30.jsonc", R"({"class": "MockOptimizer",
                                            "config": {"max_suggestions": 30, "seed": 7}})");
            r = run_mlosbench({"--environment", "axes.jsonc", "--optimizer", "opt30.jsonc",
                               "--storage", s_db.string(), "--experiment-id", "axes"},
                              s_dir->path());
            ASSERT_EQ(r.exit_code, 0) << r.err;
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

// A text of a gnuplot SVG: where it is anchored, how, whether rotated, and what it says.
struct SvgText
{
    double x = 0;
    double y = 0;
    bool rotated = false;
    std::string anchor;
    std::string text;
    // Its horizontal extent at 6 px per character (sans 10: what digits and most letters take).
    [[nodiscard]] std::pair<double, double> extent() const
    {
        const double w = 6.0 * static_cast<double>(text.size());
        if (anchor == "start") {
            return {x, x + w};
        }
        if (anchor == "end") {
            return {x - w, x};
        }
        return {x - w / 2, x + w / 2};
    }
};

std::vector<SvgText> svg_texts(const std::string& svg)
{
    std::vector<SvgText> out;
    const std::regex text(
        "<g transform=\"translate\\(([-0-9.]+),([-0-9.]+)\\)( rotate\\([-0-9]+\\))?\""
        "[^>]*text-anchor=\"(\\w+)\">\\s*<text>([^<]*)</text>");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), text); it != std::sregex_iterator();
         ++it) {
        SvgText t;
        t.x = std::stod((*it)[1]);
        t.y = std::stod((*it)[2]);
        t.rotated = (*it)[3].matched;
        t.anchor = (*it)[4];
        t.text = (*it)[5];
        while (!t.text.empty() && t.text.front() == ' ') {
            t.text.erase(0, 1);
        }
        out.push_back(t);
    }
    return out;
}

const SvgText& svg_text(const std::vector<SvgText>& texts, const std::string& what)
{
    for (const auto& t : texts) {
        if (t.text == what) {
            return t;
        }
    }
    throw std::runtime_error("no text '" + what + "' in the SVG");
}

// The tick labels of the panel whose x axis title is `title`: upright, centred texts in the
// 40 px above it and within `half_width` of it.
std::vector<SvgText>
ticks_above(const std::vector<SvgText>& texts, const SvgText& title, double half_width)
{
    std::vector<SvgText> out;
    for (const auto& t : texts) {
        if (!t.rotated && t.anchor == "middle" && t.y < title.y && t.y > title.y - 40 &&
            std::abs(t.x - title.x) < half_width) {
            out.push_back(t);
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.x < b.x; });
    return out;
}

bool is_whole_number(const std::string& text)
{
    return !text.empty() && text.find_first_not_of("-0123456789") == std::string::npos;
}

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
        csv_rows(s_db, "SELECT trial_id, replace(ts_start, ' ', 'T') || 'Z', replace(ts_end, ' ', "
                       "'T') || 'Z', config_id FROM trial WHERE exp_id = 'res1' ORDER BY trial_id");
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
    EXPECT_EQ(count(body, "<tr id=\"trial-"),
              std::stoul(sql_value(s_db, "SELECT COUNT(*) FROM trial WHERE "
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
    EXPECT_EQ(count(page.substr(page.find("<table id=\"trials\">")), "<tr"), 1U + 2U);
    const auto bad = mlosbench({"report", "dead", "-o", path("d.html").string(), "--metric", "x"});
    EXPECT_EQ(bad.exit_code, 2);
}

// Scores near the ends of a double, beside a failed trial: gnuplot cannot scale such an axis,
// so they are drawn at +/-1e307 and the chart says so; plot and report both succeed.
TEST(PlotExtremes, ScoresNearTheEndsOfADoubleAreDrawnAtTheEdge)
{
    TempDir dir;
    dir.write("huge.jsonc", R"({"name": "huge", "class": "LocalEnv",
        "include_tunables": [")" +
                                e2e_config("tunables.jsonc") +
                                R"("],
        "config": {"tunable_params": ["g"], "read_results_file": "results.csv",
            "run": ["case $MLOSBENCH_TRIAL_ID in 1) s=1.7e308;; 2) s=-1.7e308;; 3) exit 3;; *) s=1;; esac; printf 'metric,value\\nscore,%s\\n' $s > results.csv"]}})");
    dir.write("opt.jsonc", R"({"class": "MockOptimizer", "config": {"max_suggestions": 4}})");
    const fs::path db = dir.path() / "huge.db";
    auto r = run_mlosbench({"--environment", "huge.jsonc", "--optimizer", "opt.jsonc", "--storage",
                            db.string(), "--experiment-id", "huge", "--max-failed-share", "1"},
                           dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_mlosbench({"plot", "huge", "-o", "huge.svg", "--storage", db.string()}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string svg = read_file(dir.path() / "huge.svg");
    EXPECT_NE(svg.find("<text>2 beyond +/-1e307, drawn at the edge</text>"), std::string::npos);
    EXPECT_NE(svg.find("<text>failed, no score (1)</text>"), std::string::npos);
    r = run_mlosbench({"report", "huge", "-o", "huge.html", "--storage", db.string()}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// The charts read as charts: log-scale tunables on a log axis, whole numbers on integer and
// trial axes, each panel spanning its tunable's range, no two labels on top of each other,
// every axis title below its axis's tick labels.
TEST_F(PlotReport, PlotAxesAreReadable)
{
    ASSERT_NO_FATAL_FAILURE(make("axes"));
    const auto r = mlosbench({"plot", "axes", "-o", path("axes.svg").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string svg = read_file(path("axes.svg"));
    const auto texts = svg_texts(svg);
    ASSERT_GT(texts.size(), 50U) << svg.substr(0, 2000);

    // No two texts on one line overlap, anywhere in the image.
    for (std::size_t i = 0; i < texts.size(); ++i) {
        for (std::size_t j = i + 1; j < texts.size(); ++j) {
            const auto& a = texts[i];
            const auto& b = texts[j];
            if (a.rotated || b.rotated || std::abs(a.y - b.y) > 8) {
                continue;
            }
            const auto [a0, a1] = a.extent();
            const auto [b0, b1] = b.extent();
            EXPECT_TRUE(a1 <= b0 || b1 <= a0)
                << "'" << a.text << "' at " << a.x << "," << a.y << " overlaps '" << b.text
                << "' at " << b.x << "," << b.y;
        }
    }

    // Log axes: decades, equally spaced.
    for (const std::string name : {"buffer_kb", "learning_rate"}) {
        const auto ticks = ticks_above(texts, svg_text(texts, name + " (log scale)"), 150);
        ASSERT_GE(ticks.size(), 3U) << name;
        for (std::size_t i = 1; i < ticks.size(); ++i) {
            EXPECT_DOUBLE_EQ(std::stod(ticks[i].text) / std::stod(ticks[i - 1].text), 10.0)
                << name << ": " << ticks[i - 1].text << ", " << ticks[i].text;
            if (i >= 2) {
                EXPECT_NEAR(ticks[i].x - ticks[i - 1].x, ticks[i - 1].x - ticks[i - 2].x, 1.0)
                    << name;
            }
        }
    }
    const auto lr = ticks_above(texts, svg_text(texts, "learning_rate (log scale)"), 150);
    EXPECT_EQ(lr.front().text, "0.0001"); // the range's ends: 1e-4 to 1
    EXPECT_EQ(lr.back().text, "1");

    // Integer tunables: whole numbers only, the whole range (1 to 8) however few were tried.
    const auto threads = ticks_above(texts, svg_text(texts, "threads"), 150);
    std::vector<std::string> labels;
    for (const auto& t : threads) {
        labels.push_back(t.text);
    }
    EXPECT_EQ(labels, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8"}));
    const auto migration = ticks_above(texts, svg_text(texts, "migration_cost_ns"), 150);
    ASSERT_GE(migration.size(), 2U);
    EXPECT_EQ(migration.front().text, "0");
    for (const auto& t : migration) {
        EXPECT_TRUE(is_whole_number(t.text)) << t.text;
    }
    // Trials: whole numbers, 1 to 30.
    const auto trials = ticks_above(texts, svg_text(texts, "trial"), 480);
    ASSERT_GE(trials.size(), 5U);
    for (const auto& t : trials) {
        EXPECT_TRUE(is_whole_number(t.text)) << t.text;
        EXPECT_GE(std::stoi(t.text), 1);
        EXPECT_LE(std::stoi(t.text), 30);
    }
    // Long categories stand upright, cut to tell apart.
    std::set<std::string> upright;
    for (const auto& t : texts) {
        if (t.rotated && t.text != "score") {
            upright.insert(t.text);
        }
    }
    EXPECT_EQ(upright, (std::set<std::string>{"first-in-fi\u2026", "least-frequ\u2026",
                                              "least-recen\u2026", "random"}));

    // Axis titles in place: each x title below its tick labels, the y titles (rotated) left
    // of the plot, one per panel.
    for (const std::string title : {"trial", "threads", "ratio", "migration_cost_ns"}) {
        const auto& t = svg_text(texts, title);
        for (const auto& tick : ticks_above(texts, t, 150)) {
            EXPECT_GT(t.y, tick.y + 8) << title;
        }
    }
    std::size_t y_titles = 0;
    for (const auto& t : texts) {
        if (t.rotated && t.text == "score") {
            ++y_titles;
            EXPECT_LT(std::fmod(t.x, 320.0), 40.0) << t.x; // in the left margin of its column
        }
    }
    EXPECT_EQ(y_titles, 7U);

    // The PNG is drawn by the same script: its size says it holds the score chart and two
    // rows of three panels.
    const auto p = mlosbench({"plot", "axes", "-o", path("axes.png").string()});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    const std::string png = read_file(path("axes.png"));
    ASSERT_GT(png.size(), 24U);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(static_cast<unsigned char>(png[22]) * 256U + static_cast<unsigned char>(png[23]),
              380U + 2 * 280U);
}

// At 1280 px the page is no wider than the window: a wide trials table scrolls inside it.
// The best trial's row is highlighted; the failed trials are listed with reason and stderr.
TEST_F(PlotReport, ReportFitsAt1280PxWithBestRowAndFailures)
{
    ASSERT_NO_FATAL_FAILURE(make("axes"));
    ASSERT_NO_FATAL_FAILURE(make("flaky"));
    for (const std::string exp : {"axes", "flaky"}) {
        const auto r = mlosbench({"report", exp, "-o", path(exp + ".html").string()});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        std::string page = read_file(path(exp + ".html"));
        // Measure in the browser: the page itself has no script; a copy gets one.
        const std::string measure = R"(<script>
            const w = document.querySelector('#trials').parentElement;
            const best = document.querySelector('#trials tr.best td');
            document.body.setAttribute('data-measure', JSON.stringify({
                page: document.documentElement.scrollWidth, window: window.innerWidth,
                wrapper: w.clientWidth, table: w.scrollWidth,
                overflow: getComputedStyle(w).overflowX,
                best: best ? getComputedStyle(best).backgroundColor : null,
                best_id: best ? best.parentElement.id : null}));
            </script>)";
        page.insert(page.rfind("</body>"), measure);
        s_dir->write(exp + "-measure.html", page);
        const fs::path profile = path("chromium-profile-" + exp);
        fs::create_directories(profile);
        mlosbench::ProcessOptions options;
        options.command = "/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic "
                          "--no-first-run --disable-background-networking "
                          "--disable-component-update --disable-sync --window-size=1280,900 "
                          "--user-data-dir='" +
                          profile.string() + "' --dump-dom 'file://" +
                          path(exp + "-measure.html").string() + "'";
        options.env = mlosbench::current_environment();
        options.timeout_seconds = 60;
        options.kill_grace_seconds = 1;
        const auto dom = mlosbench::run_process(options);
        ASSERT_FALSE(dom.timed_out) << dom.err;
        ASSERT_EQ(dom.exit_code, 0) << dom.err;
        const std::regex attribute("data-measure=\"([^\"]*)\"");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(dom.out, m, attribute)) << dom.out.substr(0, 3000);
        std::string json = m[1];
        for (auto at = json.find("&quot;"); at != std::string::npos; at = json.find("&quot;")) {
            json.replace(at, 6, "\"");
        }
        const auto measured = nlohmann::json::parse(json);
        EXPECT_EQ(measured["window"], 1280) << json;
        EXPECT_LE(measured["page"].get<int>(), 1280) << exp << ": " << json;
        EXPECT_LE(measured["wrapper"].get<int>(), 1280) << json;
        EXPECT_EQ(measured["overflow"], "auto") << json;
        const std::string best = sql_value(s_db, "SELECT trial_id FROM trial t JOIN trial_result "
                                                 "r USING (exp_id, trial_id) WHERE exp_id = '" +
                                                     exp +
                                                     "' AND metric_id = 'score' ORDER BY "
                                                     "CAST(metric_value AS REAL), trial_id "
                                                     "LIMIT 1");
        EXPECT_EQ(measured["best_id"], "trial-" + best) << json;
        EXPECT_EQ(measured["best"], "rgb(255, 243, 191)") << json;
        if (exp == "axes") {
            // Six tunables with long values: wider than the window, so it scrolls.
            EXPECT_GT(measured["table"].get<int>(), measured["wrapper"].get<int>()) << json;
        }
    }

    // flaky: every failed trial with its reason and what it wrote on stderr.
    const std::string page = read_file(path("flaky.html"));
    const auto start = page.find("<h2>Failed trials</h2>");
    ASSERT_NE(start, std::string::npos);
    const std::string section = page.substr(start, page.find("<h2>Trials</h2>") - start);
    const auto failed = sql_rows(s_db, "SELECT trial_id FROM trial WHERE exp_id = 'flaky' AND "
                                       "status = 'FAILED' ORDER BY trial_id");
    ASSERT_FALSE(failed.empty());
    EXPECT_EQ(count(section, "<td class=\"reason\">"), failed.size());
    for (const auto& id : failed) {
        const std::string x = sql_value(
            s_db, "SELECT param_value FROM config_param WHERE param_id = 'x' AND config_id = "
                  "(SELECT config_id FROM trial WHERE exp_id = 'flaky' AND trial_id = " +
                      id + ")");
        EXPECT_NE(section.find("<a href=\"#trial-" + id + "\">" + id + "</a>"), std::string::npos)
            << section;
        EXPECT_NE(section.find("<pre>x=" + x + " is too big</pre>"), std::string::npos) << section;
    }
    EXPECT_NE(section.find("exited with code 1</td>"), std::string::npos) << section;
    // Times in ISO 8601 UTC, as show and export print them.
    const std::string first_start = sql_value(
        s_db, "SELECT replace(ts_start, ' ', 'T') || 'Z' FROM trial WHERE exp_id = 'flaky' AND "
              "trial_id = 1");
    EXPECT_NE(page.find("<td>" + first_start + "</td>"), std::string::npos) << first_start;
}
