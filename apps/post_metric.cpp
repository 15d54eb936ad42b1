#include "commands.hpp"
#include "launch_flags.hpp"
#include "mlosbench/results/metrics_query.hpp"
#include "mlosbench/server/api_client.hpp"
#include "mlosbench/storage/postgres_target.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_spec.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/time.hpp"
#include "results_common.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>

namespace mlosbench::app {
namespace {

std::optional<std::string> variable(const char* name)
{
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        return std::nullopt;
    }
    return std::string(value);
}

std::string required_variable(const char* name)
{
    auto value = variable(name);
    if (!value) {
        throw ConfigError(std::string(name) +
                          " is not set: post-metric runs inside a trial's script, whose "
                          "environment names the storage, experiment and trial");
    }
    return *value;
}

std::int64_t trial_id_from(const std::string& trial_text)
{
    std::int64_t trial_id = 0;
    const auto [end, ec] =
        std::from_chars(trial_text.data(), trial_text.data() + trial_text.size(), trial_id);
    if (ec != std::errc() || end != trial_text.data() + trial_text.size()) {
        throw ConfigError("MLOSBENCH_TRIAL_ID: expected a trial id (an integer), got '" +
                          trial_text + "'");
    }
    return trial_id;
}

} // namespace

int post_metric_command(const std::vector<std::string>& args)
{
    CLI::App app("Record a telemetry sample for the running trial, from inside its script. The "
                 "trial's environment names it: MLOSBENCH_STORAGE, MLOSBENCH_EXPERIMENT_ID, "
                 "MLOSBENCH_TRIAL_ID; with MLOSBENCH_API (and MLOSBENCH_TOKEN) set, the metric goes to "
                 "that `mlosbench serve` over HTTP instead (a trial on another machine). Prints nothing (a script's stdout may be parsed for "
                 "results). Safe while the orchestrator and other trials write the same file.",
                 "mlosbench post-metric");
    std::string name;
    std::string value_text;
    bool cumulative = false;
    std::optional<std::string> metadata;
    std::string time_text;
    std::string storage;
    app.add_option("NAME", name, "Metric name, e.g. loss")->required();
    app.add_option("VALUE", value_text, "A number")->required();
    app.add_flag("--cumulative", cumulative,
                 "Add VALUE to the metric's latest value in this trial (0 when none) and record "
                 "the sum; atomic, so concurrent posters add up; a sum out of range (int64 for "
                 "integers) exits 2");
    app.add_option("--metadata", metadata,
                   "Text kept with the sample (shown by metrics; table trial_telemetry_metadata)");
    app.add_option("--time", time_text,
                   "When the value was measured: ISO 8601 (no zone means UTC; default: now), "
                   "from 1970 to 2261. A time already taken by this metric moves by 1 "
                   "microsecond");
    app.add_option("--storage", storage,
                   "Storage config, .db path or postgresql:// URL (default: "
                   "$MLOSBENCH_STORAGE)");
    if (parse_args(app, args)) {
        return 0;
    }
    setup_logging(std::string("warning"), std::nullopt);
    const Json value = parse_scalar_text(value_text);
    if (!value.is_number()) {
        throw ConfigError("VALUE: expected a number, got '" + value_text + "'");
    }
    Timestamp time = now();
    if (!time_text.empty()) {
        time = parse_time_argument(time_text, "--time");
    }
    // A trial on another machine reaches the driver's storage through its serve:
    // MLOSBENCH_API (and MLOSBENCH_TOKEN) say where, and the metric goes over HTTP.
    if (const auto api = variable("MLOSBENCH_API"); api && storage.empty()) {
        PostedMetric metric;
        metric.exp_id = required_variable("MLOSBENCH_EXPERIMENT_ID");
        metric.trial_id = trial_id_from(required_variable("MLOSBENCH_TRIAL_ID"));
        metric.name = name;
        metric.value = value;
        metric.cumulative = cumulative;
        metric.metadata = metadata;
        if (!time_text.empty()) {
            metric.time = format_iso8601(time);
        }
        (void)post_metric_over_http(*api, variable("MLOSBENCH_TOKEN").value_or(""), metric);
        return 0;
    }
    // The trial's MLOSBENCH_STORAGE is the storage's location: a SQLite file's path, or a
    // PostgreSQL URL without password (PGPASSWORD or ~/.pgpass gives that).
    StorageSpec spec;
    if (storage.empty()) {
        const std::string location = required_variable("MLOSBENCH_STORAGE");
        if (is_postgres_url(location)) {
            spec = storage_spec_from_location(location, "MLOSBENCH_STORAGE");
        } else {
            spec.database = location;
        }
    } else {
        spec = results_storage(storage);
    }
    const std::string experiment = required_variable("MLOSBENCH_EXPERIMENT_ID");
    const std::int64_t trial_id = trial_id_from(required_variable("MLOSBENCH_TRIAL_ID"));
    if (spec.drivername == "sqlite") {
        if (spec.database == ":memory:") {
            throw ConfigError("MLOSBENCH_STORAGE: the experiment's storage is in memory; "
                              "post-metric needs a storage file");
        }
        if (!std::filesystem::exists(spec.database)) {
            throw ConfigError(spec.database, "", "storage file not found");
        }
    }
    const auto records = open_storage(spec)->attach_experiment(experiment);
    (void)records->post_telemetry(trial_id, TelemetrySample{time, name, value}, cumulative,
                                  metadata,
                                  time_text.empty() ? PostTime::when_recorded : PostTime::as_given);
    return 0;
}

} // namespace mlosbench::app
