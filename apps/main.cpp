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
#include <string_view>
#include <utility>

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
    CommandEntry{"serve", mlosbench::app::serve_command,
                 "a live dashboard and a JSON API over the storage (docs/api.md)"},
    CommandEntry{"list", mlosbench::app::list_command,
                 "the classes configs may name: environments, services, optimizers, ..."},
};

/// Flags that may come before the command (`mlosbench --storage r.db show`): each command
/// that has them takes them; the others refuse them, naming the flag.
bool is_global_flag(std::string_view arg, bool& takes_value)
{
    const std::string_view name = arg.substr(0, arg.find('='));
    takes_value = name == arg;
    for (const std::string_view flag :
         {"--storage", "--log-level", "--log_level", "--log-file", "--log_file"}) {
        if (name == flag) {
            return true;
        }
    }
    if (arg == "--json") {
        takes_value = false;
        return true;
    }
    return false;
}

std::vector<std::string> command_names()
{
    std::vector<std::string> names;
    for (const auto& c : k_commands) {
        names.emplace_back(c.name);
    }
    return names;
}

/// The command `args` names, with its arguments: the first word after any global flags
/// (those flags then go to the command); `run` when the arguments start with another flag.
/// Throws ConfigError for a word that names no command.
std::pair<Command, std::vector<std::string>> find_command(std::vector<std::string> args)
{
    std::size_t i = 0;
    bool takes_value = false;
    while (i < args.size() && is_global_flag(args[i], takes_value)) {
        i += takes_value ? 2 : 1;
    }
    if (i >= args.size() || (!args[i].empty() && args[i].front() == '-')) {
        return {mlosbench::app::run_command, std::move(args)};
    }
    const auto it = std::find_if(k_commands.begin(), k_commands.end(),
                                 [&](const CommandEntry& c) { return args[i] == c.name; });
    if (it == k_commands.end()) {
        throw mlosbench::ConfigError("unknown command '" + args[i] + "'" +
                                     mlosbench::did_you_mean(args[i], command_names()) +
                                     "; 'mlosbench --help' lists the commands");
    }
    std::vector<std::string> rest(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(i));
    rest.insert(rest.begin(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
    return {it->function, std::move(rest)};
}

/// What `mlosbench` alone prints (on stderr: it exits 2, a script that forgot its
/// arguments must not look as if it ran).
std::string short_usage()
{
    return "Usage: mlosbench [run] --environment ENV [--globals FILE...] [--optimizer OPT] "
           "[--key value...]\n"
           "       mlosbench COMMAND [ARGS...]\n"
           "\n" +
           mlosbench::app::commands_help() +
           "\n'mlosbench --help' lists the flags of a run; docs/writing-a-benchmark.md starts "
           "from an empty directory.\n";
}

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
    if (argc <= 1) {
        std::cerr << short_usage();
        return 2;
    }
    try {
        auto [command, args] = find_command(std::vector<std::string>(argv + 1, argv + argc));
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
