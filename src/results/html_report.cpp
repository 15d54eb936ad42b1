#include "mlosbench/results/html_report.hpp"

#include "mlosbench/util/time.hpp"

#include <chrono>
#include <cstdio>

namespace mlosbench {
namespace {

// Inline so the page needs nothing from the network or beside it.
constexpr const char* k_style = R"(
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; white-space: nowrap; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { position: static; }
.SUCCEEDED { color: #1a7f37; } .FAILED, .TIMED_OUT { color: #cf222e; }
.CANCELED, .RUNNING, .PENDING { color: #9a6700; }
figure { margin: 1em 0; } figcaption { font-weight: bold; margin-bottom: 0.3em; }
figure svg { max-width: 100%; height: auto; }
.note { color: #9a6700; }
)";

std::string text(const Json& value)
{
    return value.is_null() ? std::string("-") : json_to_text(value);
}

std::string cell(const Json& value, const std::string& css_class = {})
{
    std::string out = "<td";
    if (value.is_number()) {
        out += " class=\"num\"";
    } else if (!css_class.empty()) {
        out += " class=\"" + html_escape(css_class) + "\"";
    }
    return out + ">" + html_escape(text(value)) + "</td>";
}

std::string duration(const Json& start, const Json& end)
{
    if (!start.is_string() || !end.is_string()) {
        return "-";
    }
    const auto s = parse_timestamp(start.get<std::string>());
    const auto e = parse_timestamp(end.get<std::string>());
    if (!s || !e) {
        return "-";
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f s", std::chrono::duration<double>(*e - *s).count());
    return buffer;
}

std::string summary_row(const std::string& name, const std::string& value_html)
{
    return "<tr><th>" + html_escape(name) + "</th><td>" + value_html + "</td></tr>\n";
}

// The SVG element itself: gnuplot starts its file with an XML declaration and a DOCTYPE that
// do not belong inside HTML.
std::string svg_element(const std::string& svg)
{
    const auto start = svg.find("<svg");
    return start == std::string::npos ? std::string() : svg.substr(start);
}

std::string summary(const Json& experiment, const Json& results_df)
{
    std::string s = "<table class=\"summary\">\n";
    s += summary_row("experiment", html_escape(text(experiment["exp_id"])));
    if (experiment.contains("description") && !experiment["description"].is_null()) {
        s += summary_row("description", html_escape(text(experiment["description"])));
    }
    s += summary_row("status", html_escape(text(experiment["status"])));
    s += summary_row("start", html_escape(text(experiment["ts_start"])));
    s += summary_row("end", html_escape(text(experiment["ts_end"])));
    std::string objectives;
    for (const auto& o : experiment["objectives"]) {
        objectives += (objectives.empty() ? "" : ", ") + html_escape(text(o["name"])) + " (" +
                      html_escape(text(o["direction"])) + ")";
    }
    s += summary_row("objectives", objectives.empty() ? "-" : objectives);
    std::string counts = html_escape(text(experiment["trials"]["total"])) + " total";
    for (const auto& [status, n] : experiment["trials"]["by_status"].items()) {
        counts += ", <span class=\"" + html_escape(status) + "\">" + html_escape(status) +
                  "</span> " + html_escape(text(n));
    }
    s += summary_row("trials", counts);
    const Json& best = experiment["best"];
    if (best.is_null()) {
        s += summary_row("best trial", "-");
    } else {
        s += summary_row("best trial", html_escape(text(best["trial_id"])) + ": " +
                                           html_escape(text(best["metric"])) + " = " +
                                           html_escape(text(best["score"])));
        for (const auto& row : results_df) {
            if (row["trial_id"] != best["trial_id"]) {
                continue;
            }
            std::string config;
            for (const auto& [name, value] : row.items()) {
                if (name.rfind("config.", 0) == 0) {
                    config += (config.empty() ? "" : ", ") + html_escape(name.substr(7)) + " = " +
                              html_escape(text(value));
                }
            }
            s += summary_row("best config", config.empty() ? "-" : config);
        }
    }
    return s + "</table>\n";
}

std::string trials_table(const Json& results_df)
{
    std::vector<std::string> extra;
    if (!results_df.empty()) {
        for (const auto& [name, unused] : results_df[0].items()) {
            if (name.rfind("config.", 0) == 0 || name.rfind("result.", 0) == 0) {
                extra.push_back(name);
            }
        }
    }
    std::string s = "<table id=\"trials\">\n<thead><tr><th>trial</th><th>config</th>"
                    "<th>status</th><th>runner</th><th>start</th><th>duration</th>";
    for (const auto& name : extra) {
        s += "<th>" + html_escape(name) + "</th>";
    }
    s += "</tr></thead>\n<tbody>\n";
    for (const auto& row : results_df) {
        const std::string status = text(row["status"]);
        s += "<tr>" + cell(row["trial_id"]) + cell(row["tunable_config_id"]) +
             cell(row["status"], status) + cell(row["trial_runner_id"]) + cell(row["ts_start"]) +
             "<td class=\"num\">" + html_escape(duration(row["ts_start"], row["ts_end"])) + "</td>";
        for (const auto& name : extra) {
            s += cell(row[name]);
        }
        s += "</tr>\n";
    }
    return s + "</tbody>\n</table>\n";
}

} // namespace

std::string html_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string html_report(const Json& experiment,
                        const Json& results_df,
                        const std::vector<ReportFigure>& figures,
                        const std::string& note)
{
    const std::string exp_id = html_escape(text(experiment["exp_id"]));
    std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    s += "<title>mlosbench: " + exp_id + "</title>\n<style>" + k_style + "</style>\n";
    s += "</head>\n<body>\n<h1>Experiment " + exp_id + "</h1>\n";
    s += "<h2>Summary</h2>\n" + summary(experiment, results_df);
    s += "<h2>Charts</h2>\n";
    if (!note.empty()) {
        s += "<p class=\"note\">" + html_escape(note) + "</p>\n";
    }
    for (const auto& figure : figures) {
        s += "<figure>\n<figcaption>" + html_escape(figure.caption) + "</figcaption>\n" +
             svg_element(figure.svg) + "\n</figure>\n";
    }
    s += "<h2>Trials</h2>\n" + trials_table(results_df);
    s += "<p>Made by mlosbench " + html_escape(format_iso8601(now())) + ".</p>\n";
    return s + "</body>\n</html>\n";
}

} // namespace mlosbench
