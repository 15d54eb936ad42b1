#include "commands.hpp"
#include "mlosbench/results/html_report.hpp"
#include "mlosbench/results/plot.hpp"
#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/util/error.hpp"
#include "results_common.hpp"

#include <iostream>
#include <optional>

namespace mlosbench::app {

int report_command(const std::vector<std::string>& args)
{
    CLI::App app("Write one self-contained HTML page about EXP: summary (objectives, trials by "
                 "status, best trial and its config), the charts of `plot` inline as SVG, the "
                 "failed trials with their reason and stderr, and the trials table with the "
                 "best row highlighted. Needs no network to view.",
                 "mlosbench report");
    std::string storage;
    std::string experiment;
    std::string output;
    std::string metric;
    bool json = false;
    add_storage_flag(app, storage);
    app.add_option("EXP", experiment, "Experiment id")->required();
    app.add_option("-o,--output", output, "HTML file to write")->required();
    app.add_option("--metric", metric,
                   "Metric to chart (default: the experiment's first objective)");
    app.add_flag("--json", json, "Print what was written as JSON");
    if (parse_args(app, args)) {
        return 0;
    }
    const ResultsReader reader(open_results_storage(storage));
    const Json rows = reader.results_df(experiment);
    const Json exp = find_experiment(reader, experiment);
    // An experiment without a successful trial (or without an objective) still gets its page,
    // with the reason in place of the charts; an unknown --metric or a gnuplot failure stops.
    std::optional<PlotData> data;
    std::string note;
    try {
        data = make_plot_data(exp, rows, metric, reader.tunables(experiment));
    } catch (const ConfigError& e) {
        if (!metric.empty()) {
            throw; // an unknown --metric is a usage error
        }
        note = std::string("no charts: ") + e.message();
    } catch (const Error& e) {
        note = std::string("no charts: ") + e.what();
    }
    std::vector<ReportFigure> figures;
    if (data) {
        figures.push_back(
            {data->metric + " per trial, best so far", render_svg(*data, PlotCharts::score)});
        if (!data->tunables.empty()) {
            figures.push_back(
                {"tunables against " + data->metric, render_svg(*data, PlotCharts::tunables)});
        }
    }
    // The trials that ended without a result, each with its reason and the end of its stderr.
    Json failures = Json::array();
    for (const auto& row : rows) {
        const std::string status = row.value("status", std::string());
        if (status == "FAILED" || status == "TIMED_OUT" || status == "CANCELED") {
            failures.push_back(reader.trial(experiment, row["trial_id"].get<long long>()));
        }
    }
    write_output_file(output, html_report(exp, rows, figures, failures, note));
    if (json) {
        std::cout << json_dump(Json{{"output", output},
                                    {"experiment", experiment},
                                    {"trials", rows.size()},
                                    {"figures", figures.size()},
                                    {"failed", failures.size()},
                                    {"note", note}},
                               2)
                  << "\n";
    } else {
        std::cout << "wrote " << output << ": " << rows.size() << " trials, " << figures.size()
                  << " charts" << (note.empty() ? "" : " (" + note + ")") << "\n";
    }
    return 0;
}

} // namespace mlosbench::app
