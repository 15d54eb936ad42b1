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
    EXPECT_NE(page.find("<tr><th>best trial</th><td>2: score = 1.5</td></tr>"), std::string::npos);
    EXPECT_NE(page.find("<span class=\"FAILED\">FAILED</span> 1"), std::string::npos);
    const auto body = page.substr(page.find("<tbody>"));
    EXPECT_EQ(count(body, "<tr>"), 2U);
    EXPECT_NE(body.find("<td class=\"num\">1.250 s</td>"), std::string::npos) << body;
    EXPECT_NE(page.find("<th>config.mode</th><th>result.score</th>"), std::string::npos);
    // Self-contained: nothing to fetch.
    EXPECT_EQ(page.find(" src="), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
}

TEST(HtmlReport, NoteInPlaceOfCharts)
{
    const std::string page =
        mlosbench::html_report(experiment(), rows(), {}, "no charts: nothing <scored>");
    EXPECT_NE(page.find("<p class=\"note\">no charts: nothing &lt;scored&gt;</p>"),
              std::string::npos);
    EXPECT_EQ(page.find("<figure>"), std::string::npos);
}
