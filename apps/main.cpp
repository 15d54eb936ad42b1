// mlosbench: benchmark orchestrator and autotuner. Dispatches to the subcommands; the one
// place that turns exceptions into messages and exit codes.
#include "commands.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace {

using Command = int (*)(const std::vector<std::string>&);

struct CommandEntry
{
    const char* name;
    Command function;
    const char* summary;
};

// In the order `mlosbench --help` lists them.
constexpr std::array k_commands = {
    CommandEntry{"run", mlosbench::app::run_command, "run an experiment (the default)"},
    CommandEntry{"validate", mlosbench::app::validate_command,
                 "load the configs, print what would run and where each value came from"},
    CommandEntry{"show", mlosbench::app::show_command,
                 "experiments, an experiment's trials, or one trial"},
    CommandEntry{"metrics", mlosbench::app::metrics_command,
                 "an experiment's telemetry and results (--since, --last, --summarize)"},
    CommandEntry{"post-metric", mlosbench::app::post_metric_command,
                 "record a telemetry sample from inside a trial's script"},
    CommandEntry{"export", mlosbench::app::export_command,
                 "one row per trial as csv or json; -o F.zip adds the telemetry"},
    CommandEntry{"plot", mlosbench::app::plot_command,
                 "score per trial with the best so far, each tunable against the score"},
    CommandEntry{"report", mlosbench::app::report_command,
                 "one self-contained HTML page: summary, charts, trials"},
    CommandEntry{"delete", mlosbench::app::delete_command,
                 "remove an experiment and everything only it uses"},
};

// Results go to stdout: a command whose output could not be written (a full disk, a closed
// pipe, /dev/full) has failed, whatever it returned.
int stdout_checked(int code)
{
    errno = 0;
    std::cout.flush();
    const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
    if (!failed) {
        return code;
    }
    std::cerr << "mlosbench: error: cannot write to stdout"
              << (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()) << "\n";
    return code == 0 ? 1 : code;
}

} // namespace

namespace mlosbench::app {

std::string commands_help()
{
    std::string text = "Commands ('mlosbench COMMAND --help' for each):\n";
    for (const auto& c : k_commands) {
        text += "  " + std::string(c.name) + std::string(14 - std::strlen(c.name), ' ') +
                c.summary + "\n";
    }
    return text;
}

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
        const auto it = std::find_if(k_commands.begin(), k_commands.end(),
                                     [&](const CommandEntry& c) { return args.front() == c.name; });
        if (it != k_commands.end()) {
            command = it->function;
            args.erase(args.begin());
        }
    }
    try {
        return stdout_checked(command(args));
    } catch (const mlosbench::ConfigErrors& e) {
        for (const auto& error : e.errors()) {
            std::cerr << "mlosbench: error: " << mlosbench::escape_control(error.what()) << "\n";
        }
        return 2;
    } catch (const mlosbench::ConfigError& e) {
        std::cerr << "mlosbench: error: " << mlosbench::escape_control(e.what()) << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "mlosbench: error: " << mlosbench::escape_control(e.what()) << "\n";
        return 1;
    }
}
