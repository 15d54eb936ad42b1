#include "commands.hpp"
#include "launch_flags.hpp"
#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_spec.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "results_common.hpp"

#include <unistd.h>

#include <iostream>
#include <string>

namespace mlosbench::app {
namespace {

std::string rows_text(const DeletedRows& rows)
{
    std::string text;
    for (const auto& [table, count] : rows) {
        if (count == 0) {
            continue;
        }
        text += (text.empty() ? "" : ", ") + table + " " + std::to_string(count);
    }
    return text.empty() ? "no rows" : text;
}

} // namespace

int delete_command(const std::vector<std::string>& args)
{
    CLI::App app("Delete experiment EXP: its trials and every row about them (status history, "
                 "results, telemetry, parameters, output, tunables, objectives) and the configs "
                 "no other experiment uses, in one transaction. Asks on the terminal unless --yes "
                 "(any answer but y keeps it: exit 1); without a terminal it needs --yes (exit "
                 "2). Refuses while the experiment's driver process runs (exit 2).",
                 "mlosbench delete");
    std::string storage;
    std::string experiment;
    bool yes = false;
    bool json = false;
    add_storage_flag(app, storage);
    app.add_option("EXP", experiment, "Experiment id")->required();
    app.add_flag("-y,--yes", yes, "Do not ask for confirmation");
    app.add_flag("--json", json, "Print the rows deleted per table as a JSON object");
    if (parse_args(app, args)) {
        return 0;
    }
    setup_logging(std::string("warning"), std::nullopt);
    const StorageSpec spec = results_storage(storage);
    // Read-only first: a file that is not a storage file (or has no such experiment) is
    // reported as such and left as it was.
    ResultsReader(open_storage_reader(spec)).require_experiment(experiment);
    const auto store = open_storage(spec);
    // A dry run first: checks the experiment exists and is not running, and counts.
    const DeletedRows planned = store->delete_experiment(experiment, true);
    if (!yes) {
        if (::isatty(STDIN_FILENO) == 0) {
            throw ConfigError("refusing to delete experiment '" + experiment +
                              "' without confirmation: stdin is not a terminal; pass --yes");
        }
        std::cerr << "Delete experiment '" << experiment << "' from " << spec.location() << " ("
                  << rows_text(planned) << ")? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes" && answer != "YES") {
            std::cerr << "mlosbench: not deleted\n";
            return 1;
        }
    }
    const DeletedRows deleted = store->delete_experiment(experiment, false);
    if (json) {
        Json counts = Json::object();
        for (const auto& [table, count] : deleted) {
            counts[table] = count;
        }
        std::cout << json_dump(Json{{"exp_id", experiment}, {"deleted", counts}}, 2) << "\n";
    } else {
        std::cout << "deleted experiment '" << experiment << "': " << rows_text(deleted) << "\n";
    }
    return 0;
}

} // namespace mlosbench::app
