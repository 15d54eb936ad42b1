// The HTML page of `report`: summary, figures, one row per trial, everything escaped.
#include "mlosbench/results/html_report.hpp"

#include <gtest/gtest.h>

using mlosbench::Json;

namespace {

std::size_t count(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

Json experiment()
{
    return {{"exp_id", "e<1>"},
            {"description", nullptr},
            {"status", "SUCCEEDED"},
            {"ts_start", "2025-01-02 03:04:05.000000"},
            {"ts_end", "2025-01-02 03:05:05.000000"},
            {"objectives", Json::array({{{"name", "score"}, {"direction", "min"}}})},
            {"trials", {{"total", 2}, {"by_status", {{"FAILED", 1}, {"SUCCEEDED", 1}}}}},
            {"best", {{"trial_id", 2}, {"metric", "score"}, {"score", 1.5}}}};
}

Json rows()
{
    return Json::array({{{"trial_id", 1},
                         {"ts_start", "2025-01-02 03:04:05.000000"},
                         {"ts_end", "2025-01-02 03:04:06.250000"},
                         {"tunable_config_id", 1},
                         {"tunable_config_trial_group_id", 1},
                         {"status", "FAILED"},
                         {"trial_runner_id", 1},
                         {"config.mode", "<script>alert(1)</script>"},
                         {"result.score", nullptr}},
                        {{"trial_id", 2},
                         {"ts_start", "2025-01-02 03:04:07.000000"},
                         {"ts_end", nullptr},
                         {"tunable_config_id", 2},
                         {"tunable_config_trial_group_id", 2},
                         {"status", "SUCCEEDED"},
                         {"trial_runner_id", 1},
                         {"config.mode", "a&b"},
                         {"result.score", 1.5}}});
}

} // namespace

TEST(HtmlReport, EscapesText)
{
    EXPECT_EQ(mlosbench::html_escape("<a href=\"x\">'&'</a>"),
              "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(HtmlReport, SummaryFiguresAndOneRowPerTrial)
{
    const std::string page = mlosbench::html_report(
        experiment(), rows(),
        {{"score per trial", "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg id=\"one\"></svg>"}});
    EXPECT_EQ(page.rfind("<!DOCTYPE html>\n", 0), 0U);
    EXPECT_NE(page.find("<title>mlosbench: e&lt;1&gt;</title>"), std::string::npos);
    // The figure is inlined without its XML prolog.
    EXPECT_NE(page.find("<figcaption>score per trial</figcaption>\n<svg id=\"one\"></svg>"),
              std::string::npos);
    EXPECT_EQ(page.find("<?xml"), std::string::npos);
    EXPECT_EQ(page.find("<!DOCTYPE svg"), std::string::npos);
    // Values are escaped: no script from a tunable value reaches the page.
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(page.find("<tr><th>best config</th><td>mode = a&amp;b</td></tr>"), std::string::npos)
        << page;
    EXPECT_NE(
        page.find("<tr><th>best trial</th><td><a href=\"#trial-2\">2</a>: score = 1.5</td></tr>"),
        std::string::npos);
    EXPECT_NE(page.find("<span class=\"FAILED\">FAILED</span> 1"), std::string::npos);
    const auto body = page.substr(page.find("<tbody>", page.find("<table id=\"trials\">")));
    EXPECT_EQ(count(body, "<tr "), 2U);
    EXPECT_NE(body.find("<td class=\"num\">1.250 s</td>"), std::string::npos) << body;
    // The best trial's row is marked, and the summary links to it.
    EXPECT_NE(body.find("<tr id=\"trial-2\" class=\"best\" title=\"best trial\">"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("<tr id=\"trial-1\"><td"), std::string::npos) << body;
    EXPECT_EQ(count(page, "class=\"best\""), 1U);
    // The trials table scrolls inside the page rather than widening it.
    EXPECT_NE(page.find("<div class=\"scroll\">\n<table id=\"trials\">"), std::string::npos);
    EXPECT_NE(page.find(".scroll { overflow-x: auto; max-width: 100%; }"), std::string::npos);
    EXPECT_NE(page.find("<th>config.mode</th><th>result.score</th>"), std::string::npos);
    // Self-contained: nothing to fetch.
    EXPECT_EQ(page.find(" src="), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
}

TEST(HtmlReport, NoteInPlaceOfCharts)
{
    const std::string page = mlosbench::html_report(experiment(), rows(), {}, Json::array(),
                                                    "no charts: nothing <scored>");
    EXPECT_NE(page.find("<p class=\"note\">no charts: nothing &lt;scored&gt;</p>"),
              std::string::npos);
    EXPECT_EQ(page.find("<figure>"), std::string::npos);
}

TEST(HtmlReport, FailedTrialsWithReasonAndStderrTail)
{
    std::string stderr_text;
    for (int i = 1; i <= 30; ++i) {
        stderr_text += "line " + std::to_string(i) + (i == 30 ? " <boom>\n" : "\n");
    }
    const Json failures = Json::array({{{"trial_id", 1},
                                        {"status", "FAILED"},
                                        {"reason", "run: 'bench.sh' exited with code 3"},
                                        {"stderr_tail", stderr_text}}});
    const std::string page = mlosbench::html_report(experiment(), rows(), {}, failures);
    const auto section =
        page.substr(page.find("<h2>Failed trials</h2>"),
                    page.find("<h2>Trials</h2>") - page.find("<h2>Failed trials</h2>"));
    EXPECT_NE(
        section.find("<tr><td class=\"num\"><a href=\"#trial-1\">1</a></td><td "
                     "class=\"FAILED\">FAILED</td><td class=\"reason\">run: &#39;bench.sh&#39; "
                     "exited with code 3</td><td><pre>line 11\n"),
        std::string::npos)
        << section;
    // The last 20 lines, escaped; not the first ten.
    EXPECT_NE(section.find("line 29\nline 30 &lt;boom&gt;</pre></td></tr>"), std::string::npos)
        << section;
    EXPECT_EQ(section.find("line 10\n"), std::string::npos);
    EXPECT_EQ(count(section, "<tr><td"), 1U);

    // Without failures the section says so; past the limit the rest are counted.
    EXPECT_NE(mlosbench::html_report(experiment(), rows(), {})
                  .find("<h2>Failed trials</h2>\n<p>None.</p>"),
              std::string::npos);
    Json many = Json::array();
    for (std::size_t i = 0; i < mlosbench::k_report_failures + 3; ++i) {
        many.push_back(
            {{"trial_id", i + 1}, {"status", "FAILED"}, {"reason", "x"}, {"stderr_tail", nullptr}});
    }
    const std::string long_page = mlosbench::html_report(experiment(), rows(), {}, many);
    EXPECT_EQ(count(long_page, "<td class=\"reason\">"), mlosbench::k_report_failures);
    EXPECT_NE(long_page.find("<p class=\"note\">and 3 more: <code>mlosbench show e&lt;1&gt; "
                             "--trial N</code> shows one.</p>"),
              std::string::npos);
}
