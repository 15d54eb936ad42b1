#include "mlosbench/results/results_reader.hpp"

#include "mlosbench/storage/sqlite_reader.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"

#include <algorithm>
#include <set>
#include <string_view>

namespace mlosbench {
namespace {

std::string csv_field(const std::string& text)
{
    return text.find_first_of(",\"\n\r") == std::string::npos ? text : double_quote(text);
}

// What a spreadsheet may run as a formula when a cell starts with it.
bool starts_like_formula(const std::string& text)
{
    return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string::npos;
}

// A text cell that a spreadsheet would run as a formula (=, +, -, @, or a tab or CR first)
// gets a leading single quote, as OWASP advises for CSV injection; numbers are left alone.
std::string csv_text_field(const std::string& text)
{
    return csv_field(starts_like_formula(text) ? "'" + text : text);
}

std::string csv_field(const Json& value)
{
    if (value.is_string()) {
        return csv_text_field(value.get<std::string>());
    }
    return csv_field(value.is_null() ? std::string() : json_to_text(value));
}

// A stored value: a number as written, other text neutralised.
std::string csv_stored_field(const std::string& text)
{
    return starts_like_formula(text) && !parse_scalar_text(text).is_number() ? csv_field("'" + text)
                                                                             : csv_field(text);
}

// The storage keeps times as SQLAlchemy writes them ("2026-12-01 20:16:03.123456"); every
// command prints them in one form, ISO 8601 UTC ("2026-12-01T20:16:03.123456Z").
void iso_times(Json& doc)
{
    if (doc.is_array()) {
        for (auto& element : doc) {
            iso_times(element);
        }
        return;
    }
    if (!doc.is_object()) {
        return;
    }
    for (auto& [name, value] : doc.items()) {
        if (value.is_string() && (name == "ts" || name.rfind("ts_", 0) == 0)) {
            value = iso8601_text(value.get<std::string>());
        } else if (name == "status_history") {
            iso_times(value); // not into config, metadata or results: those are values
        }
    }
}

} // namespace

ResultsReader::ResultsReader(const std::string& database)
    : ResultsReader(std::make_unique<SqliteReader>(database))
{
}

ResultsReader::ResultsReader(std::unique_ptr<StorageReader> storage) : m_storage(std::move(storage))
{
}

ResultsReader::~ResultsReader() = default;

void ResultsReader::require_experiment(const std::string& exp_id) const
{
    if (!m_storage->has_experiment(exp_id)) {
        throw ConfigError("unknown experiment '" + exp_id + "'");
    }
}

Json ResultsReader::experiments() const
{
    Json out = Json::array();
    for (const auto& experiment : m_storage->experiments()) {
        out.push_back(experiment.to_json());
    }
    iso_times(out);
    return out;
}

Json ResultsReader::experiment(const std::string& exp_id) const
{
    for (auto& experiment : experiments()) {
        if (experiment["exp_id"] == exp_id) {
            return experiment;
        }
    }
    throw ConfigError("unknown experiment '" + exp_id + "'");
}

void ResultsReader::require_metrics(const std::string& exp_id,
                                    const std::vector<std::string>& names) const
{
    std::set<std::string> known;
    const Json stored = experiment(exp_id);
    for (const auto& objective : stored.at("objectives")) {
        known.insert(objective.at("name").get<std::string>());
    }
    for (const auto& s : metrics(exp_id, MetricsQuery{})) {
        known.insert(s.metric);
    }
    for (const auto& name : names) {
        if (known.count(name) == 0) {
            std::string list;
            for (const auto& k : known) {
                list += (list.empty() ? "" : ", ") + k;
            }
            throw ConfigError("unknown metric '" + name + "' in experiment '" + exp_id +
                              "' (its metrics: " + (list.empty() ? "none" : list) + ")" +
                              did_you_mean(name, {known.begin(), known.end()}));
        }
    }
}

Json ResultsReader::trials(const std::string& exp_id) const
{
    require_experiment(exp_id);
    Json out = Json::array();
    for (const auto& trial : m_storage->trials(exp_id)) {
        out.push_back(trial.to_json());
    }
    iso_times(out);
    return out;
}

Json ResultsReader::workers(const std::string& exp_id) const
{
    require_experiment(exp_id);
    Json out = Json::array();
    for (const auto& w : m_storage->workers(exp_id)) {
        out.push_back({{"worker_id", w.worker_id},
                       {"host", w.host},
                       {"pid", w.pid},
                       {"ts_start", format_iso8601(w.ts_start)},
                       {"ts_heartbeat", format_iso8601(w.ts_heartbeat)},
                       {"ts_end", w.ts_end ? Json(format_iso8601(*w.ts_end)) : Json(nullptr)},
                       {"state", w.state}});
    }
    return out;
}

Json ResultsReader::trial(const std::string& exp_id, long long trial_id) const
{
    require_experiment(exp_id);
    const auto detail = m_storage->trial(exp_id, trial_id);
    if (!detail) {
        throw ConfigError("unknown trial " + std::to_string(trial_id) + " in experiment '" +
                          exp_id + "'");
    }
    Json out = detail->to_json();
    iso_times(out);
    return out;
}

std::vector<MetricSample> ResultsReader::metrics(const std::string& exp_id,
                                                 const MetricsQuery& query) const
{
    require_experiment(exp_id);
    if (query.trial_id && !m_storage->has_trial(exp_id, *query.trial_id)) {
        throw ConfigError("unknown trial " + std::to_string(*query.trial_id) + " in experiment '" +
                          exp_id + "'");
    }
    std::vector<MetricSample> samples = m_storage->metric_samples(
        exp_id, MetricSampleFilter{query.trial_id, query.metrics, query.include_results});
    sort_metric_samples(samples);
    return apply_metrics_query(std::move(samples), query);
}

Json ResultsReader::results_df(const std::string& exp_id) const
{
    require_experiment(exp_id);
    Json out = m_storage->results_frame(exp_id).to_json();
    for (auto& row : out) {
        for (const char* key : {"ts_start", "ts_end"}) {
            if (row.contains(key) && row[key].is_string()) {
                row[key] = iso8601_text(row[key].get<std::string>());
            }
        }
    }
    return out;
}

Json ResultsReader::tunables(const std::string& exp_id) const
{
    require_experiment(exp_id);
    Json out = Json::object();
    const auto definitions = m_storage->tunable_definitions(exp_id);
    if (!definitions) {
        return out;
    }
    for (const auto& [group, body] : definitions->items()) {
        if (body.is_object() && body.contains("params") && body["params"].is_object()) {
            for (const auto& [name, definition] : body["params"].items()) {
                out[name] = definition;
            }
        }
    }
    return out;
}

std::vector<TelemetryRow> ResultsReader::telemetry(const std::string& exp_id) const
{
    require_experiment(exp_id);
    return m_storage->telemetry(exp_id);
}

std::vector<MetricSample>
select_metrics(const ResultsReader& reader, const std::string& exp_id, const MetricsQuery& query)
{
    std::vector<MetricSample> samples = reader.metrics(exp_id, query);
    std::set<std::string> found;
    for (const auto& s : samples) {
        found.insert(s.metric);
    }
    if (std::any_of(query.metrics.begin(), query.metrics.end(),
                    [&](const std::string& m) { return found.count(m) == 0; })) {
        reader.require_metrics(exp_id, query.metrics);
    }
    return samples;
}

std::string telemetry_csv(const std::vector<TelemetryRow>& rows)
{
    std::string out = "trial_id,ts,metric,value\n";
    out.reserve(rows.size() * 48);
    for (const auto& row : rows) {
        out += std::to_string(row.trial_id);
        out += ',';
        out += row.ts;
        out += ',';
        out += csv_text_field(row.metric);
        out += ',';
        out += row.value ? csv_stored_field(*row.value) : std::string();
        out += '\n';
    }
    return out;
}

std::string telemetry_json(const std::vector<TelemetryRow>& rows)
{
    std::string out = "[";
    out.reserve(rows.size() * 80);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        out += i == 0 ? "\n  " : ",\n  ";
        out += "{\"trial_id\": " + std::to_string(row.trial_id) +
               ", \"ts\": " + json_dump(Json(row.ts)) +
               ", \"metric\": " + json_dump(Json(row.metric)) + ", \"value\": " +
               (row.value ? json_dump(parse_scalar_text(*row.value)) : std::string("null")) + "}";
    }
    out += rows.empty() ? "]\n" : "\n]\n";
    return out;
}

std::string results_df_csv(const Json& rows)
{
    std::string out;
    if (rows.empty()) {
        return "trial_id,ts_start,ts_end,tunable_config_id,tunable_config_trial_group_id,status,"
               "trial_runner_id\n";
    }
    bool first = true;
    for (const auto& [name, unused] : rows[0].items()) {
        if (!first) {
            out += ',';
        }
        out += csv_text_field(name);
        first = false;
    }
    out += "\n";
    for (const auto& row : rows) {
        first = true;
        for (const auto& [name, value] : row.items()) {
            if (!first) {
                out += ',';
            }
            out += csv_field(value);
            first = false;
        }
        out += "\n";
    }
    return out;
}

} // namespace mlosbench
