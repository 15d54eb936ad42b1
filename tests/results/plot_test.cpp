// Chart data, gnuplot script and a real gnuplot run for `plot` and `report`.
#include "mlosbench/results/plot.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

using mlosbench::Json;
using mlosbench::PlotCharts;
using mlosbench::PlotData;
namespace fs = std::filesystem;

namespace {

Json experiment(const std::string& direction)
{
    return {{"exp_id", "e1"},
            {"objectives", Json::array({{{"name", "score"}, {"direction", direction}}})}};
}

Json row(
    long long id, const std::string& status, const Json& x, const Json& mode, const Json& score)
{
    return {{"trial_id", id}, {"status", status},        {"config.mode", mode},
            {"config.x", x},  {"result.latency", score}, {"result.score", score}};
}

// Five trials: 3 scored, one FAILED (no score), one RUNNING (skipped).
Json rows()
{
    return Json::array({row(1, "SUCCEEDED", 10, "b", 5.0), row(2, "FAILED", 20, "a", nullptr),
                        row(3, "SUCCEEDED", 30, "a", 3.0), row(4, "RUNNING", 40, "c", nullptr),
                        row(5, "SUCCEEDED", 50, "c", 4.0)});
}

std::set<std::string> panels_of(const std::string& svg)
{
    // gnuplot names each series "gnuplot_plot_<n><panel letter>".
    std::set<std::string> panels;
    const std::regex series("id=\"gnuplot_plot_[0-9]+([a-z]+)\"");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), series);
         it != std::sregex_iterator(); ++it) {
        panels.insert((*it)[1]);
    }
    return panels;
}

} // namespace

TEST(PlotData, TakesTheFirstObjectiveAndSortsCategories)
{
    const PlotData data = mlosbench::make_plot_data(experiment("min"), rows(), "");
    EXPECT_EQ(data.metric, "score");
    EXPECT_FALSE(data.maximize);
    ASSERT_EQ(data.trials.size(), 5U);
    EXPECT_EQ(data.scored_count(), 3U);
    EXPECT_EQ(data.failed_count(), 1U);
    EXPECT_FALSE(data.trials[3].score.has_value());
    ASSERT_EQ(data.tunables.size(), 2U);
    EXPECT_EQ(data.tunables[0].name, "mode");
    EXPECT_TRUE(data.tunables[0].categorical);
    // Only values of scored trials count: "a" (trial 3), "b" (1), "c" (5).
    EXPECT_EQ(data.tunables[0].categories, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(data.tunables[0].points,
              (std::vector<std::pair<double, double>>{{1, 5.0}, {0, 3.0}, {2, 4.0}}));
    EXPECT_EQ(data.tunables[1].name, "x");
    EXPECT_FALSE(data.tunables[1].categorical);
    EXPECT_EQ(data.tunables[1].points,
              (std::vector<std::pair<double, double>>{{10, 5.0}, {30, 3.0}, {50, 4.0}}));
}

TEST(PlotData, BestSoFarFollowsTheDirection)
{
    const mlosbench::testing::TempDir dir;
    mlosbench::write_plot_data_files(mlosbench::make_plot_data(experiment("min"), rows(), ""),
                                     dir.path());
    EXPECT_EQ(mlosbench::testing::read_file(dir.path() / "score.dat"), "1 5 5\n3 3 3\n5 4 3\n");
    EXPECT_EQ(mlosbench::testing::read_file(dir.path() / "failed.dat"), "2\n");
    mlosbench::write_plot_data_files(mlosbench::make_plot_data(experiment("max"), rows(), ""),
                                     dir.path());
    EXPECT_EQ(mlosbench::testing::read_file(dir.path() / "score.dat"), "1 5 5\n3 3 5\n5 4 5\n");
    EXPECT_EQ(mlosbench::testing::read_file(dir.path() / "tunable_0.dat"), "1 5\n0 3\n2 4\n");
}

TEST(PlotData, OtherMetricIsMinimised)
{
    const PlotData data = mlosbench::make_plot_data(experiment("max"), rows(), "latency");
    EXPECT_EQ(data.metric, "latency");
    EXPECT_FALSE(data.maximize);
}

TEST(PlotData, UnknownMetricIsAConfigError)
{
    try {
        (void)mlosbench::make_plot_data(experiment("min"), rows(), "nope");
        FAIL() << "no error";
    } catch (const mlosbench::ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "--metric: unknown metric 'nope' in experiment 'e1' (its metrics: latency, "
                     "score)");
    }
}

TEST(PlotData, NoSuccessfulTrialIsAnError)
{
    Json failed = Json::array({row(1, "FAILED", 10, "a", nullptr)});
    try {
        (void)mlosbench::make_plot_data(experiment("min"), failed, "");
        FAIL() << "no error";
    } catch (const mlosbench::ConfigError& e) {
        FAIL() << "not a usage error: " << e.what();
    } catch (const mlosbench::Error& e) {
        EXPECT_STREQ(e.what(), "experiment 'e1' has no successful trial with a numeric 'score' "
                               "to plot");
    }
}

TEST(GnuplotScript, OnePlotPerPanelAndCategoriesAsTics)
{
    const PlotData data = mlosbench::make_plot_data(experiment("min"), rows(), "");
    const std::string script = mlosbench::gnuplot_script(data, PlotCharts::all, "plot.svg");
    EXPECT_EQ(script.rfind("set terminal svg size 960,660 ", 0), 0U) << script;
    std::size_t plots = 0;
    for (std::size_t at = script.find("\nplot "); at != std::string::npos;
         at = script.find("\nplot ", at + 1)) {
        ++plots;
    }
    EXPECT_EQ(plots, mlosbench::plot_panel_count(data, PlotCharts::all));
    EXPECT_EQ(plots, 3U);
    EXPECT_NE(script.find("set xtics ('a' 0, 'b' 1, 'c' 2)\n"), std::string::npos) << script;
    EXPECT_NE(script.find("title 'failed, no score (1)'"), std::string::npos) << script;
    EXPECT_EQ(mlosbench::gnuplot_script(data, PlotCharts::tunables, "t.png")
                  .rfind("set terminal pngcairo size 960,280 ", 0),
              0U);
    EXPECT_THROW((void)mlosbench::gnuplot_script(data, PlotCharts::all, "plot.jpg"),
                 mlosbench::ConfigError);
}

TEST(GnuplotScript, QuotesNames)
{
    Json r = Json::array(
        {{{"trial_id", 1}, {"status", "SUCCEEDED"}, {"config.it's", "o'k"}, {"result.score", 1}}});
    const PlotData data = mlosbench::make_plot_data(experiment("min"), r, "");
    const std::string script = mlosbench::gnuplot_script(data, PlotCharts::tunables, "p.svg");
    EXPECT_NE(script.find("set title 'it''s'\n"), std::string::npos) << script;
    EXPECT_NE(script.find("set xtics ('o''k' 0)"), std::string::npos) << script;
}

TEST(RenderPlot, GnuplotDrawsEveryPanel)
{
    const mlosbench::testing::TempDir dir;
    const PlotData data = mlosbench::make_plot_data(experiment("min"), rows(), "");
    mlosbench::render_plot(data, PlotCharts::all, dir.path() / "p.svg");
    const std::string svg = mlosbench::testing::read_file(dir.path() / "p.svg");
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_EQ(panels_of(svg).size(), 3U);
    EXPECT_NE(svg.find("e1: score per trial (min is better)"), std::string::npos);

    const std::string scores_only = mlosbench::render_svg(data, PlotCharts::score);
    EXPECT_EQ(panels_of(scores_only).size(), 1U);
    // score, best so far, failed
    EXPECT_NE(scores_only.find("id=\"gnuplot_plot_3a\""), std::string::npos);
    EXPECT_EQ(scores_only.find("id=\"gnuplot_plot_4a\""), std::string::npos);
}
