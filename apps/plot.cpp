#include "mlosbench/results/plot.hpp"

#include "commands.hpp"
#include "mlosbench/results/results_reader.hpp"
#include "results_common.hpp"

#include <iostream>

namespace mlosbench::app {

int plot_command(const std::vector<std::string>& args)
{
    CLI::App app("Draw the charts of EXP with gnuplot into one image: the score of each trial "
                 "with the best so far (failed trials marked below the scores), and one panel "
                 "per tunable with its value against the score (categorical tunables as "
                 "categories).",
                 "mlosbench plot");
    std::string storage;
    std::string experiment;
    std::string output;
    std::string metric;
    bool json = false;
    add_storage_flag(app, storage);
    app.add_option("EXP", experiment, "Experiment id")->required();
    app.add_option("-o,--output", output, "Image to write: F.svg or F.png")->required();
    app.add_option("--metric", metric,
                   "Metric to plot (default: the experiment's first objective)");
    app.add_flag("--json", json, "Print what was drawn as JSON");
    if (parse_args(app, args)) {
        return 0;
    }
    const ResultsReader reader(open_results_storage(storage));
    const Json rows = reader.results_df(experiment);
    const PlotData data = make_plot_data(find_experiment(reader, experiment), rows, metric,
                                         reader.tunables(experiment));
    render_plot(data, PlotCharts::all, output);
    const std::size_t panels = plot_panel_count(data, PlotCharts::all);
    if (json) {
        const Json summary = {{"output", output},
                              {"experiment", data.exp_id},
                              {"metric", data.metric},
                              {"direction", data.maximize ? "max" : "min"},
                              {"trials", data.trials.size()},
                              {"scored", data.scored_count()},
                              {"failed", data.failed_count()},
                              {"panels", panels}};
        std::cout << json_dump(summary, 2) << "\n";
    } else {
        std::cout << "wrote " << output << ": " << data.metric << " of " << data.scored_count()
                  << " trials (" << data.failed_count() << " failed), " << panels << " panels\n";
    }
    return 0;
}

} // namespace mlosbench::app
