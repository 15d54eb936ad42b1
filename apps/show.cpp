#include "commands.hpp"
#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"
#include "results_common.hpp"

#include <cstdio>
#include <iostream>
#include <optional>

namespace mlosbench::app {
namespace {

// Plain-text output escapes control characters (a stored id or output tail could otherwise
// drive the terminal); --json carries the data as it is.
std::string text(const Json& value)
{
    return value.is_null() ? std::string("-") : escape_control(display_text(value));
}

std::string seconds(const Json& value)
{
    if (!value.is_number()) {
        return "-";
    }
    return format_seconds(value.get<double>());
}

std::string key_values(const Json& object)
{
    std::string out;
    for (const auto& [name, value] : object.items()) {
        if (!out.empty()) {
            out += ' ';
        }
        out += escape_control(name);
        out += '=';
        out += text(value);
    }
    return out.empty() ? "-" : out;
}

void print_experiments(const Json& experiments)
{
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : experiments) {
        std::string best = "-";
        if (!e["best"].is_null()) {
            best = text(e["best"]["metric"]) + "=" + text(e["best"]["score"]) + " (trial " +
                   text(e["best"]["trial_id"]) + ")";
        }
        rows.push_back({text(e["exp_id"]), text(e["status"]), text(e["trials"]["total"]),
                        key_values(e["trials"]["by_status"]), best, text(e["ts_start"]),
                        text(e["ts_end"])});
    }
    print_table({"EXPERIMENT", "STATUS", "TRIALS", "BY STATUS", "BEST", "START", "END"}, rows);
}

void print_trials(const Json& trials)
{
    std::vector<std::vector<std::string>> rows;
    rows.reserve(trials.size());
    for (const auto& t : trials) {
        rows.push_back({text(t["trial_id"]), text(t["config_id"]), text(t["status"]),
                        text(t["trial_runner_id"]), text(t["ts_start"]), seconds(t["duration_s"]),
                        key_values(t["results"])});
    }
    print_table({"TRIAL", "CONFIG", "STATUS", "RUNNER", "START", "DURATION", "RESULTS"}, rows);
}

// The processes that worked on the experiment (`--join` workers on several machines), when
// there were any.
void print_workers(const Json& workers)
{
    if (workers.empty()) {
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& w : workers) {
        rows.push_back({text(w["worker_id"]), text(w["host"]), text(w["pid"]), text(w["state"]),
                        text(w["ts_start"]), text(w["ts_heartbeat"]), text(w["ts_end"])});
    }
    std::cout << "\n";
    print_table({"WORKER", "HOST", "PID", "STATE", "START", "HEARTBEAT", "END"}, rows);
}

void print_section(const std::string& title, const Json& object)
{
    std::cout << title << ":\n";
    if (object.empty()) {
        std::cout << "  (none)\n";
    }
    for (const auto& [name, value] : object.items()) {
        std::cout << "  " << escape_control(name) << " = " << text(value) << "\n";
    }
}

void print_tail(const std::string& title, const Json& value)
{
    if (!value.is_string() || value.get<std::string>().empty()) {
        return;
    }
    std::string tail = value.get<std::string>();
    std::cout << title << ":\n";
    if (tail.back() != '\n') {
        tail += '\n';
    }
    std::string::size_type start = 0;
    while (start < tail.size()) {
        const auto end = tail.find('\n', start);
        std::cout << "  | " << escape_control(tail.substr(start, end - start)) << "\n";
        start = end + 1;
    }
}

void print_trial(const Json& t)
{
    std::cout << "experiment  " << text(t["exp_id"]) << "\n"
              << "trial       " << text(t["trial_id"]) << "\n"
              << "config      " << text(t["config_id"]) << "\n"
              << "status      " << text(t["status"]) << "\n"
              << "runner      " << text(t["trial_runner_id"]) << "\n"
              << "start       " << text(t["ts_start"]) << "\n"
              << "end         " << text(t["ts_end"]) << "\n"
              << "duration    " << seconds(t["duration_s"]) << "\n";
    if (!t["reason"].is_null()) {
        std::cout << "reason      " << text(t["reason"]) << "\n";
    }
    print_section("parameters", t["config"]);
    print_section("metadata", t["metadata"]);
    print_section("results", t["results"]);
    std::cout << "status history:\n";
    for (const auto& h : t["status_history"]) {
        std::cout << "  " << text(h["ts"]) << "  " << text(h["status"]) << "\n";
    }
    print_tail("stdout (tail)", t["stdout_tail"]);
    print_tail("stderr (tail)", t["stderr_tail"]);
}

/// The tunable-values document (JSONC) of trial `t`, which `--tunable-values FILE` of a run
/// applies: its parameters, and a comment saying where they came from.
std::string tunable_values_document(const Json& t, const std::string& storage)
{
    Json values = Json::object();
    for (const auto& [name, value] : t["config"].items()) {
        values[name] = value;
    }
    std::string scores;
    for (const auto& [name, value] : t["results"].items()) {
        scores += (scores.empty() ? "" : ", ") + name + "=" + display_text(value);
    }
    // A comment line ends at the first newline: a stored id must not end it early.
    const std::string origin = "trial " + json_to_text(t["trial_id"]) + " of experiment '" +
                               json_to_text(t["exp_id"]) + "' (" + json_to_text(t["status"]) +
                               (scores.empty() ? "" : ", " + scores) + ") in " + storage;
    return "// The tunable values of " + escape_control(origin) +
           ".\n// Run them again: mlosbench ... --tunable-values THIS_FILE\n" +
           json_dump(values, 4) + "\n";
}

} // namespace

int show_command(const std::vector<std::string>& args)
{
    CLI::App app("Show what storage holds: the experiments with trial counts by status and best "
                 "score; with EXP, its trials and the workers (processes) that ran them; with "
                 "--trial N, one trial in full.",
                 "mlosbench show");
    std::string storage;
    std::string experiment;
    std::optional<long long> trial;
    bool json = false;
    add_storage_flag(app, storage);
    app.add_option("EXP", experiment, "Experiment id");
    app.add_option("--trial", trial,
                   "Show this trial of EXP: parameters, results, history, "
                   "output tails");
    bool best = false;
    std::optional<std::string> values_file;
    app.add_flag("--best", best, "Show the trial of EXP that scored best (by its first objective)")
        ->excludes("--trial");
    app.add_option("--tunable-values", values_file,
                   "With --trial or --best: also write that trial's tunable values to this "
                   "file ('-': stdout), for `mlosbench run --tunable-values FILE`");
    app.add_flag("--json", json, "Print the same data as JSON");
    if (parse_args(app, args)) {
        return 0;
    }
    if (app.count("EXP") > 0 && experiment.empty()) {
        throw ConfigError("", "EXP", "expected an experiment id, got ''");
    }
    if (trial && experiment.empty()) {
        throw ConfigError("", "--trial", "--trial needs an experiment id (EXP)");
    }
    if (best && experiment.empty()) {
        throw ConfigError("", "--best", "--best needs an experiment id (EXP)");
    }
    if (values_file && !trial && !best) {
        throw ConfigError("", "--tunable-values", "--tunable-values needs --trial N or --best");
    }
    const StorageSpec spec = results_storage(storage);
    const ResultsReader reader(open_storage_reader(spec));
    if (best) {
        const Json e = find_experiment(reader, experiment);
        if (e["best"].is_null()) {
            throw ConfigError("", "--best",
                              "experiment '" + experiment + "' has no successful trial yet");
        }
        trial = e["best"]["trial_id"].get<long long>();
    }
    if (values_file) {
        const std::string document =
            tunable_values_document(reader.trial(experiment, *trial), spec.location());
        if (*values_file == "-") {
            std::cout << document;
            return 0;
        }
        write_output_file(*values_file, document);
    }
    if (experiment.empty()) {
        const Json experiments = reader.experiments();
        if (json) {
            std::cout << json_dump(experiments, 2) << "\n";
        } else {
            print_experiments(experiments);
        }
    } else if (trial) {
        const Json t = reader.trial(experiment, *trial);
        if (json) {
            std::cout << json_dump(t, 2) << "\n";
        } else {
            print_trial(t);
        }
    } else {
        const Json trials = reader.trials(experiment);
        const Json workers = reader.workers(experiment);
        if (json) {
            std::cout << json_dump(Json{{"trials", trials}, {"workers", workers}}, 2) << "\n";
        } else {
            print_trials(trials);
            print_workers(workers);
        }
    }
    return 0;
}

} // namespace mlosbench::app
