#include "commands.hpp"
#include "mlosbench/results/export_tables.hpp"
#include "mlosbench/util/strings.hpp"
#include "results_common.hpp"

#include <iostream>

namespace mlosbench::app {

int export_command(const std::vector<std::string>& args)
{
    CLI::App app("Export one row per trial of EXP (ids, times, status, runner, config.*, "
                 "result.*), as mlos_bench's results_df. With --telemetry, its telemetry "
                 "instead (trial_id, ts in ISO 8601 UTC, metric, value). With -o F.zip, one "
                 "zip archive holding both: results.csv and telemetry.csv (or .json).",
                 "mlosbench export");
    std::string storage;
    std::string experiment;
    std::string format;
    std::string output;
    bool telemetry = false;
    bool json = false;
    add_storage_flag(app, storage);
    app.add_option("EXP", experiment, "Experiment id")->required();
    CLI::Option* format_option =
        app.add_option("--format", format,
                       "csv or json (default: from the -o name's extension, else csv)")
            ->check(CLI::IsMember({"csv", "json"}));
    app.add_flag("--json", json, "The same as --format json")->excludes(format_option);
    app.add_option("-o,--output", output,
                   "Write to this file (default: stdout); a name ending in .zip gets an archive "
                   "with the results and the telemetry");
    app.add_flag("--telemetry", telemetry,
                 "Export the telemetry table instead of the results (a .zip holds both anyway)");
    if (parse_args(app, args)) {
        return 0;
    }
    const bool zip = ends_with_icase(output, ".zip");
    if (json) {
        format = "json";
    } else if (format.empty()) {
        format = ends_with_icase(output, ".json") ? "json" : "csv";
    }
    const ResultsReader reader(open_results_storage(storage));
    const ExportFormat export_format = format == "csv" ? ExportFormat::csv : ExportFormat::json;
    if (zip) {
        write_zip_archive(output, export_archive_entries(reader, experiment, export_format));
        return 0;
    }
    const std::string text = telemetry ? export_telemetry(reader, experiment, export_format)
                                       : export_results(reader, experiment, export_format);
    if (output.empty()) {
        std::cout << text;
    } else {
        write_output_file(output, text);
    }
    return 0;
}

} // namespace mlosbench::app
