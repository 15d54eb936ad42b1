// Chart data, gnuplot script and a real gnuplot run for `plot` and `report`.
#include "mlosbench/results/plot.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
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
    EXPECT_NE(script.find("set xtics ('a' 0, 'b' 1, 'c' 2) norotate autojustify nomirror\n"), std::string::npos)
        << script;
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
    EXPECT_NE(script.find("set xlabel 'it''s'\n"), std::string::npos) << script;
    EXPECT_NE(script.find("set xtics ('o''k' 0)"), std::string::npos) << script;
}

namespace {

Json numeric_row(long long id, double x, double score)
{
    return {{"trial_id", id}, {"status", "SUCCEEDED"}, {"config.x", x}, {"result.score", score}};
}

PlotData::Tunable only_tunable(const Json& rows, const Json& definition)
{
    const PlotData data =
        mlosbench::make_plot_data(experiment("min"), rows, "", Json{{"x", definition}});
    EXPECT_EQ(data.tunables.size(), 1U);
    return data.tunables.at(0);
}

std::vector<std::string> labels(const mlosbench::PlotAxis& axis)
{
    std::vector<std::string> out;
    for (const auto& [unused, label] : axis.ticks) {
        out.push_back(label);
    }
    return out;
}

// Every two neighbouring labels leave room between them at 6 px per character (what
// gnuplot's sans 10 needs for digits), measured on the axis as drawn.
void expect_no_overlap(const mlosbench::PlotAxis& axis, double width)
{
    const auto px = [&](double v) {
        return axis.log ? width * std::log(v / axis.low) / std::log(axis.high / axis.low)
                        : width * (v - axis.low) / (axis.high - axis.low);
    };
    for (std::size_t i = 1; i < axis.ticks.size(); ++i) {
        const double half_widths = 3.0 * static_cast<double>(axis.ticks[i].second.size() +
                                                             axis.ticks[i - 1].second.size());
        EXPECT_GT(px(axis.ticks[i].first) - px(axis.ticks[i - 1].first), half_widths)
            << axis.ticks[i - 1].second << " and " << axis.ticks[i].second << " at " << width
            << " px";
    }
}

} // namespace

TEST(PlotAxis, AnIntTunableSpansItsRangeWithWholeTicks)
{
    // Only 2 and 3 were tried, but the axis is the tunable's range, 1 to 8.
    const auto t = only_tunable(Json::array({numeric_row(1, 2, 5), numeric_row(2, 3, 4)}),
                                {{"type", "int"}, {"range", {1, 8}}});
    EXPECT_TRUE(t.integer);
    EXPECT_FALSE(t.log);
    const auto axis = mlosbench::tunable_axis(t, 230);
    EXPECT_LT(axis.low, 1);
    EXPECT_GT(axis.low, 0.5);
    EXPECT_GT(axis.high, 8);
    EXPECT_LT(axis.high, 8.5);
    EXPECT_EQ(labels(axis), (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8"}));
    // A narrow panel gets fewer ticks, still whole numbers.
    EXPECT_EQ(labels(mlosbench::tunable_axis(t, 40)), (std::vector<std::string>{"5"}));
}

TEST(PlotAxis, ALogTunableGetsDecadesOnALogAxis)
{
    const auto t = only_tunable(
        Json::array({numeric_row(1, 3, 5), numeric_row(2, 700, 4), numeric_row(3, -1, 4)}),
        {{"type", "int"}, {"range", {1, 65536}}, {"log", true}, {"special", {-1}}});
    EXPECT_TRUE(t.log);
    EXPECT_EQ(t.not_drawn, 1U); // the special -1 cannot be on a log axis
    EXPECT_EQ(t.points.size(), 2U);
    const auto axis = mlosbench::tunable_axis(t, 230);
    EXPECT_TRUE(axis.log);
    EXPECT_LT(axis.low, 1);
    EXPECT_GT(axis.high, 65536);
    EXPECT_LT(axis.high, 65536 * 1.5);
    EXPECT_EQ(labels(axis), (std::vector<std::string>{"1", "10", "100", "1000", "10000"}));
    expect_no_overlap(axis, 230);
    // Wider: 1-2-5 in each decade.
    const auto wide = mlosbench::tunable_axis(t, 900);
    EXPECT_EQ(labels(wide)[1], "2");
    EXPECT_EQ(labels(wide)[2], "5");
    expect_no_overlap(wide, 900);

    const auto f = only_tunable(Json::array({numeric_row(1, 0.01, 5)}),
                                {{"type", "float"}, {"range", {0.0001, 1.0}}, {"log", true}});
    EXPECT_EQ(labels(mlosbench::tunable_axis(f, 230)),
              (std::vector<std::string>{"0.0001", "0.001", "0.01", "0.1", "1"}));
    // The script draws it so.
    const PlotData data = mlosbench::make_plot_data(
        experiment("min"), Json::array({numeric_row(1, 0.01, 5)}), "",
        Json{{"x", {{"type", "float"}, {"range", {0.0001, 1.0}}, {"log", true}}}});
    const std::string script = mlosbench::gnuplot_script(data, PlotCharts::tunables, "p.svg");
    EXPECT_NE(script.find("set logscale x 10\n"), std::string::npos) << script;
    EXPECT_NE(script.find("set xlabel 'x (log scale)'\n"), std::string::npos) << script;
    // (one panel, the image's width: 1-2-5 in each decade)
    EXPECT_NE(script.find("set xtics ('0.0001' 0.0001, '0.0002' 0.0002, '0.0005' 0.0005, "
                          "'0.001' 0.001, "),
              std::string::npos)
        << script;
    EXPECT_NE(script.find(", '0.5' 0.5, '1' 1) norotate autojustify nomirror\n"), std::string::npos) << script;
}

TEST(PlotAxis, LabelsNeverOverlapAtAnyWidth)
{
    const auto big = only_tunable(Json::array({numeric_row(1, 12345, 5)}),
                                  {{"type", "int"}, {"range", {0, 500000}}});
    const auto small =
        only_tunable(Json::array({numeric_row(1, 0.3, 5)}), {{"type", "float"}, {"range", {0, 1}}});
    for (const double width : {60.0, 150.0, 230.0, 390.0, 870.0}) {
        const auto a = mlosbench::tunable_axis(big, width);
        EXPECT_GE(a.ticks.size(), 1U);
        expect_no_overlap(a, width);
        const auto b = mlosbench::tunable_axis(small, width);
        expect_no_overlap(b, width);
        for (const auto& label : labels(b)) {
            EXPECT_LE(label.size(), 4U) << label; // 0.05, not 0.050000000000000003
        }
    }
    EXPECT_EQ(labels(mlosbench::tunable_axis(small, 230)),
              (std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1"}));
}

TEST(PlotAxis, LongCategoriesStandUpright)
{
    Json r = Json::array();
    const std::vector<std::string> names = {"least-recently-used", "least-frequently-used",
                                            "first-in-first-out", "random"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        r.push_back({{"trial_id", i + 1},
                     {"status", "SUCCEEDED"},
                     {"config.x", names[i]},
                     {"result.score", 1}});
    }
    const auto t = only_tunable(r, {{"type", "categorical"}, {"values", names}});
    const auto narrow = mlosbench::tunable_axis(t, 230);
    EXPECT_TRUE(narrow.rotate);
    EXPECT_EQ(labels(narrow), (std::vector<std::string>{"first-in-fi\u2026", "least-frequ\u2026",
                                                        "least-recen\u2026", "random"}));
    const auto wide = mlosbench::tunable_axis(t, 870);
    EXPECT_FALSE(wide.rotate);
    EXPECT_EQ(labels(wide)[0], "first-in-first-out");
}

TEST(PlotAxis, TrialsAreWholeNumbers)
{
    const PlotData data = mlosbench::make_plot_data(experiment("min"), rows(), "");
    const auto axis = mlosbench::trial_axis(data, 870);
    EXPECT_EQ(labels(axis), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
    EXPECT_DOUBLE_EQ(axis.low, 0.5);
    EXPECT_DOUBLE_EQ(axis.high, 5.5);
}

TEST(PlotData, WithoutDefinitionsWholeValuesAreIntegers)
{
    const PlotData data = mlosbench::make_plot_data(experiment("min"), rows(), "");
    EXPECT_TRUE(data.tunables[1].integer); // x: 10, 30, 50
    EXPECT_FALSE(data.tunables[1].range.has_value());
    const auto axis = mlosbench::tunable_axis(data.tunables[1], 230);
    for (const auto& label : labels(axis)) {
        EXPECT_EQ(label.find('.'), std::string::npos) << label;
    }
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
