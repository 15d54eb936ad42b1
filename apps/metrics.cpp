#include "commands.hpp"
#include "mlosbench/results/metrics_query.hpp"
#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"
#include "results_common.hpp"

#include <algorithm>
#include <iostream>
#include <optional>
#include <set>

namespace mlosbench::app {
namespace {

std::string value_text(const Json& value)
{
    return value.is_null() ? std::string("-") : display_text(value);
}

} // namespace

int metrics_command(const std::vector<std::string>& args)
{
    CLI::App app(
        "Telemetry and results of EXP, one row per sample: trial, time (ISO 8601, UTC), metric, "
        "value, source, metadata. Telemetry comes from read_telemetry_file and post-metric; a "
        "result (source 'result') is timed at its trial's end and filtered like telemetry "
        "(--no-results leaves results out). A series is one metric of one trial from one "
        "source; rows are sorted by trial, metric, source, time. --since applies first, then "
        "--last, then --summarize.",
        "mlosbench metrics");
    std::string storage;
    std::string experiment;
    std::optional<long long> trial;
    std::vector<std::string> metric_names;
    std::string since_text;
    std::optional<std::size_t> last;
    std::optional<std::size_t> summarize;
    bool no_results = false;
    bool json = false;
    add_storage_flag(app, storage);
    app.add_option("EXP", experiment, "Experiment id")->required();
    app.add_option("--trial", trial, "Only this trial of EXP");
    app.add_option("--metric", metric_names, "Only this metric (repeat for several)")
        ->allow_extra_args(false);
    app.add_option("--since", since_text,
                   "Only samples at or after this time: ISO 8601 (2025-01-02T03:04:05Z, "
                   "fraction and +HH:MM offset optional; no zone means UTC) or the storage "
                   "form (2025-01-02 03:04:05.000000)");
    app.add_option("--last", last,
                   "Only the last N samples of each series (per trial and metric, as mlbench's "
                   "last_n is per metric of a run)")
        ->check(whole_number_at_least(1));
    app.add_option("--summarize", summarize,
                   "Average each series into at most N equal-width time buckets (width = "
                   "ceil(span / N) microseconds from its first sample; empty buckets left out); "
                   "a row is timed at its bucket's start and counts its samples (N column)")
        ->check(whole_number_at_least(1));
    app.add_flag("--no-results", no_results, "Telemetry only, without trial results");
    app.add_flag("--json", json, "Print the rows as a JSON array");
    if (parse_args(app, args)) {
        return 0;
    }
    MetricsQuery query;
    query.trial_id = trial;
    query.metrics = metric_names;
    query.last = last;
    query.summarize = summarize;
    query.include_results = !no_results;
    if (!since_text.empty()) {
        query.since = parse_time_argument(since_text, "--since");
    }
    const ResultsReader reader(open_results_storage(storage));
    std::vector<MetricSample> samples;
    try {
        samples = select_metrics(reader, experiment, query);
    } catch (const ConfigError& e) {
        // A --metric the experiment never recorded names the flag.
        if (e.message().rfind("unknown metric", 0) != 0) {
            throw;
        }
        throw ConfigError("", "--metric", e.message());
    }
    if (json) {
        std::cout << json_dump(metric_samples_json(samples, summarize.has_value()), 2) << "\n";
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(samples.size());
    for (const auto& s : samples) {
        std::vector<std::string> row = {
            std::to_string(s.trial_id), format_iso8601(s.ts),         s.metric,
            value_text(s.value),        metric_source_name(s.source), s.metadata.value_or("-")};
        if (summarize) {
            row.push_back(std::to_string(s.count));
        }
        rows.push_back(std::move(row));
    }
    std::vector<std::string> header = {"TRIAL", "TS", "METRIC", "VALUE", "SOURCE", "METADATA"};
    if (summarize) {
        header.emplace_back("N");
    }
    print_table(header, rows);
    return 0;
}

} // namespace mlosbench::app
