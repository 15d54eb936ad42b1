#include "mlosbench/results/html_report.hpp"

#include "mlosbench/util/json.hpp"
#include "mlosbench/util/time.hpp"

#include <chrono>

namespace mlosbench {
namespace {

// Inline so the page needs nothing from the network or beside it.
constexpr const char* k_style = R"(
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 100%; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; font-size: 0.85em; }
.scroll { overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; white-space: nowrap; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { position: static; }
table.summary td { white-space: normal; overflow-wrap: anywhere; }
.SUCCEEDED { color: #1a7f37; } .FAILED, .TIMED_OUT { color: #cf222e; }
.CANCELED, .RUNNING, .PENDING { color: #9a6700; }
figure { margin: 1em 0; } figcaption { font-weight: bold; margin-bottom: 0.3em; }
figure svg { max-width: 100%; height: auto; }
.note { color: #9a6700; }
tr.best td { background: #fff3bf; font-weight: 600; }
table.failures td { vertical-align: top; white-space: normal; }
table.failures td.reason { min-width: 16em; max-width: 32em; overflow-wrap: anywhere; }
pre { margin: 0; font-size: 0.95em; white-space: pre-wrap; overflow-wrap: anywhere;
      max-width: 60em; }
)";

std::string text(const Json& value)
{
    return value.is_null() ? std::string("-") : display_text(value);
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
    return format_seconds(std::chrono::duration<double>(*e - *s).count());
}

std::string trial_anchor(const Json& trial_id) { return "trial-" + text(trial_id); }

// The last `lines` lines of `tail`.
std::string last_lines(const std::string& tail, std::size_t lines)
{
    std::size_t end = tail.size();
    while (end > 0 && tail[end - 1] == '\n') {
        --end;
    }
    std::size_t start = end;
    for (std::size_t n = 0; start > 0; --start) {
        if (tail[start - 1] == '\n' && ++n == lines) {
            break;
        }
    }
    return tail.substr(start, end - start);
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
        s += summary_row("best trial", "<a href=\"#" + html_escape(trial_anchor(best["trial_id"])) +
                                           "\">" + html_escape(text(best["trial_id"])) +
                                           "</a>: " + html_escape(text(best["metric"])) + " = " +
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

std::string failures_table(const Json& experiment, const Json& failures)
{
    std::string s = "<h2>Failed trials</h2>\n";
    if (failures.empty()) {
        return s + "<p>None.</p>\n";
    }
    s += "<div class=\"scroll\">\n<table class=\"failures\">\n<thead><tr><th>trial</th>"
         "<th>status</th><th>reason</th><th>stderr (last " +
         std::to_string(k_report_stderr_lines) + " lines)</th></tr></thead>\n<tbody>\n";
    std::size_t shown = 0;
    for (const auto& t : failures) {
        if (++shown > k_report_failures) {
            break;
        }
        const std::string status = text(t["status"]);
        const Json& tail = t["stderr_tail"];
        s += "<tr><td class=\"num\"><a href=\"#" + html_escape(trial_anchor(t["trial_id"])) +
             "\">" + html_escape(text(t["trial_id"])) + "</a></td><td class=\"" +
             html_escape(status) + "\">" + html_escape(status) + "</td><td class=\"reason\">" +
             html_escape(text(t["reason"])) + "</td><td>";
        if (tail.is_string() && !tail.get<std::string>().empty()) {
            s += "<pre>" + html_escape(last_lines(tail.get<std::string>(), k_report_stderr_lines)) +
                 "</pre>";
        } else {
            s += "-";
        }
        s += "</td></tr>\n";
    }
    s += "</tbody>\n</table>\n</div>\n";
    if (failures.size() > k_report_failures) {
        s += "<p class=\"note\">and " + std::to_string(failures.size() - k_report_failures) +
             " more: <code>mlosbench show " + html_escape(text(experiment["exp_id"])) +
             " --trial N</code> shows one.</p>\n";
    }
    return s;
}

std::string trials_table(const Json& experiment, const Json& results_df)
{
    const Json best_id = experiment["best"].is_object() ? experiment["best"]["trial_id"] : Json();
    std::vector<std::string> extra;
    if (!results_df.empty()) {
        for (const auto& [name, unused] : results_df[0].items()) {
            if (name.rfind("config.", 0) == 0 || name.rfind("result.", 0) == 0) {
                extra.push_back(name);
            }
        }
    }
    std::string s = "<div class=\"scroll\">\n<table id=\"trials\">\n<thead><tr><th>trial</th>"
                    "<th>config</th>"
                    "<th>status</th><th>runner</th><th>start</th><th>duration</th>";
    for (const auto& name : extra) {
        s += "<th>" + html_escape(name) + "</th>";
    }
    s += "</tr></thead>\n<tbody>\n";
    for (const auto& row : results_df) {
        const std::string status = text(row["status"]);
        const bool best = !best_id.is_null() && row["trial_id"] == best_id;
        s += "<tr id=\"" + html_escape(trial_anchor(row["trial_id"])) + "\"" +
             (best ? " class=\"best\" title=\"best trial\"" : "") + ">" + cell(row["trial_id"]) +
             cell(row["tunable_config_id"]) + cell(row["status"], status) +
             cell(row["trial_runner_id"]) + cell(row["ts_start"]) + "<td class=\"num\">" +
             html_escape(duration(row["ts_start"], row["ts_end"])) + "</td>";
        for (const auto& name : extra) {
            s += cell(row[name]);
        }
        s += "</tr>\n";
    }
    return s + "</tbody>\n</table>\n</div>\n";
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
                        const Json& failures,
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
    s += failures_table(experiment, failures);
    s += "<h2>Trials</h2>\n";
    if (experiment["best"].is_object()) {
        s += "<p>The best trial's row is highlighted.</p>\n";
    }
    s += trials_table(experiment, results_df);
    s += "<p>Made by mlosbench " + html_escape(format_iso8601(now())) + ".</p>\n";
    return s + "</body>\n</html>\n";
}

} // namespace mlosbench
