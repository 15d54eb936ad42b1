// mlosbench: benchmark orchestrator and autotuner. Dispatches to the subcommands; the one
// place that turns exceptions into messages and exit codes.
#include "commands.hpp"

#include "mlosbench/util/error.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstring>
#include <iostream>
#include <map>

namespace {

using Command = int (*)(const std::vector<std::string>&);

const std::map<std::string, Command>& commands()
{
    static const std::map<std::string, Command> table = {
        {"run", mlosbench::app::run_command},
        {"validate", mlosbench::app::validate_command},
        {"show", mlosbench::app::show_command},
        {"export", mlosbench::app::export_command},
        {"plot", mlosbench::app::plot_command},
        {"report", mlosbench::app::report_command},
        {"metrics", mlosbench::app::metrics_command},
        {"post-metric", mlosbench::app::post_metric_command},
        {"delete", mlosbench::app::delete_command},
    };
    return table;
}

} // namespace

namespace mlosbench::app {

CLI::Validator whole_number_at_least(long long min)
{
    return CLI::Validator(
        [min](const std::string& text) -> std::string {
            long long value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size() || value < min) {
                return "expected a whole number of at least " + std::to_string(min) + ", got '" +
                       text + "'";
            }
            return {};
        },
        "INT>=" + std::to_string(min));
}

bool parse_args(CLI::App& app, const std::vector<std::string>& args)
{
    app.set_version_flag("--version", std::string("mlosbench ") + MLOSBENCH_VERSION);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return true;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << app.help("", CLI::AppFormatMode::All);
        return true;
    } catch (const CLI::CallForVersion&) {
        std::cout << "mlosbench " << MLOSBENCH_VERSION << "\n";
        return true;
    } catch (const CLI::ParseError& e) {
        throw ConfigError(e.what());
    }
    return false;
}

} // namespace mlosbench::app

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    Command command = mlosbench::app::run_command;
    if (!args.empty()) {
        const auto it = commands().find(args.front());
        if (it != commands().end()) {
            command = it->second;
            args.erase(args.begin());
        }
    }
    try {
        return command(args);
    } catch (const mlosbench::Interrupted&) {
        std::cerr << "mlosbench: interrupted\n";
        return 130;
    } catch (const mlosbench::ConfigErrors& e) {
        for (const auto& error : e.errors()) {
            std::cerr << "mlosbench: error: " << error.what() << "\n";
        }
        return 2;
    } catch (const mlosbench::ConfigError& e) {
        std::cerr << "mlosbench: error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "mlosbench: error: " << e.what() << "\n";
        return 1;
    }
}
