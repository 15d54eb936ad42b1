#include "mlosbench/results/results_reader.hpp"

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>

namespace mlosbench {

struct ResultsReader::Impl
{
    explicit Impl(std::unique_ptr<SQLite::Database> database) : owner(std::move(database)) {}
    std::unique_ptr<SQLite::Database> owner;
    SQLite::Database& db = *owner;
};

namespace {

Json text_or_null(const SQLite::Column& column)
{
    return column.isNull() ? Json(nullptr) : Json(column.getString());
}

// A stored value as JSON: numbers where the text is one (results and configs are stored as
// text, as mlos_bench stores them), strings otherwise.
Json value_of(const SQLite::Column& column)
{
    return column.isNull() ? Json(nullptr) : parse_scalar_text(column.getString());
}

// Seconds since the epoch of a stored UTC timestamp ("YYYY-MM-DD HH:MM:SS[.ffffff]").
std::optional<double> epoch_seconds(const Json& ts)
{
    if (!ts.is_string()) {
        return std::nullopt;
    }
    std::tm tm{};
    double seconds = 0;
    const std::string text = ts.get<std::string>();
    if (std::sscanf(text.c_str(), "%d-%d-%d%*c%d:%d:%lf", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &seconds) != 6) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<double>(timegm(&tm)) + seconds;
}

Json duration(const Json& start, const Json& end)
{
    const auto s = epoch_seconds(start);
    const auto e = epoch_seconds(end);
    if (!s || !e) {
        return nullptr;
    }
    return *e - *s;
}

// trial_param values are metadata, never tunables: mask the ones with secret names.
Json metadata_value(const std::string& name, const SQLite::Column& column)
{
    if (!column.isNull() && is_secret_name(name)) {
        return "******";
    }
    return value_of(column);
}

// A stored timestamp in ISO 8601 UTC. Ours are "YYYY-MM-DD HH:MM:SS.ffffff": swapping the
// separator and adding 'Z' is enough (and cheap for 100,000s of telemetry rows); other forms
// are parsed.
std::string iso8601(std::string stored)
{
    if (stored.size() == 26 && stored[10] == ' ' && stored[19] == '.') {
        stored[10] = 'T';
        stored += 'Z';
        return stored;
    }
    const auto ts = parse_timestamp(stored);
    return ts ? format_iso8601(*ts) : stored;
}

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
    return starts_like_formula(text) && !parse_scalar_text(text).is_number()
               ? csv_field("'" + text)
               : csv_field(text);
}

} // namespace

ResultsReader::ResultsReader(const std::string& database)
{
    if (!std::filesystem::exists(database)) {
        throw ConfigError(database, "", "storage file not found");
    }
    try {
        // Identified first by a connection that cannot write: reading a foreign file with a
        // read-write connection could still checkpoint its write-ahead log into it.
        const SqliteFileIdentity identity = identify_sqlite_file(database);
        if (identity.kind == SqliteFileKind::empty) {
            throw ConfigError(database, "", "not an mlosbench storage file (it has no tables)");
        }
        if (identity.kind == SqliteFileKind::foreign) {
            throw ConfigError(database, "",
                              "not an mlosbench or mlos_bench storage file (" +
                                  identity.mismatch + ")");
        }
    } catch (const SQLite::Exception& e) {
        throw ConfigError(database, "", std::string("cannot read storage: ") + e.what());
    }
    m_impl = std::make_unique<Impl>(open_sqlite_for_reading(database));
}

ResultsReader::~ResultsReader() = default;

void ResultsReader::require_experiment(const std::string& exp_id) const
{
    SQLite::Statement query(m_impl->db, "SELECT 1 FROM experiment WHERE exp_id = ?");
    query.bind(1, exp_id);
    if (!query.executeStep()) {
        throw ConfigError("unknown experiment '" + exp_id + "'");
    }
}

Json ResultsReader::experiments() const
{
    Json out = Json::array();
    SQLite::Statement exps(m_impl->db, "SELECT exp_id, description, status, ts_start, ts_end "
                                       "FROM experiment ORDER BY exp_id");
    while (exps.executeStep()) {
        const std::string exp_id = exps.getColumn(0).getString();
        Json exp = {{"exp_id", exp_id},
                    {"description", text_or_null(exps.getColumn(1))},
                    {"status", text_or_null(exps.getColumn(2))},
                    {"ts_start", text_or_null(exps.getColumn(3))},
                    {"ts_end", text_or_null(exps.getColumn(4))},
                    {"objectives", Json::array()}};
        SQLite::Statement objs(m_impl->db,
                               "SELECT optimization_target, optimization_direction FROM "
                               "objectives WHERE exp_id = ? ORDER BY rowid");
        objs.bind(1, exp_id);
        while (objs.executeStep()) {
            exp["objectives"].push_back({{"name", objs.getColumn(0).getString()},
                                         {"direction", objs.getColumn(1).getString()}});
        }
        Json by_status = Json::object();
        long long total = 0;
        SQLite::Statement counts(m_impl->db, "SELECT status, COUNT(*) FROM trial WHERE exp_id = ? "
                                             "GROUP BY status ORDER BY status");
        counts.bind(1, exp_id);
        while (counts.executeStep()) {
            const long long n = counts.getColumn(1).getInt64();
            by_status[counts.getColumn(0).getString()] = n;
            total += n;
        }
        exp["trials"] = {{"total", total}, {"by_status", by_status}};
        Json best = nullptr;
        if (!exp["objectives"].empty()) {
            const std::string target = exp["objectives"][0]["name"].get<std::string>();
            const bool maximize = exp["objectives"][0]["direction"] == "max";
            SQLite::Statement scores(m_impl->db,
                                     "SELECT r.trial_id, r.metric_value FROM trial_result r JOIN "
                                     "trial t USING (exp_id, trial_id) WHERE r.exp_id = ? AND "
                                     "r.metric_id = ? AND t.status = 'SUCCEEDED' ORDER BY "
                                     "r.trial_id");
            scores.bind(1, exp_id);
            scores.bind(2, target);
            while (scores.executeStep()) {
                const Json score = value_of(scores.getColumn(1));
                if (!score.is_number()) {
                    continue;
                }
                const double v = score.get<double>();
                if (best.is_null() || (maximize ? v > best["score"].get<double>()
                                                : v < best["score"].get<double>())) {
                    best = {{"trial_id", scores.getColumn(0).getInt64()},
                            {"metric", target},
                            {"score", score}};
                }
            }
        }
        exp["best"] = best;
        out.push_back(std::move(exp));
    }
    return out;
}

Json ResultsReader::trials(const std::string& exp_id) const
{
    require_experiment(exp_id);
    std::map<long long, Json> results;
    SQLite::Statement res(m_impl->db, "SELECT trial_id, metric_id, metric_value FROM "
                                      "trial_result WHERE exp_id = ? ORDER BY trial_id, metric_id");
    res.bind(1, exp_id);
    while (res.executeStep()) {
        results[res.getColumn(0).getInt64()][res.getColumn(1).getString()] =
            value_of(res.getColumn(2));
    }
    Json out = Json::array();
    SQLite::Statement query(m_impl->db, "SELECT trial_id, config_id, status, trial_runner_id, "
                                        "ts_start, ts_end FROM trial WHERE exp_id = ? ORDER BY "
                                        "trial_id");
    query.bind(1, exp_id);
    while (query.executeStep()) {
        const long long id = query.getColumn(0).getInt64();
        Json t = {{"trial_id", id},
                  {"config_id", query.getColumn(1).getInt64()},
                  {"status", query.getColumn(2).getString()},
                  {"trial_runner_id", query.getColumn(3).isNull()
                                          ? Json(nullptr)
                                          : Json(query.getColumn(3).getInt64())},
                  {"ts_start", text_or_null(query.getColumn(4))},
                  {"ts_end", text_or_null(query.getColumn(5))}};
        t["duration_s"] = duration(t["ts_start"], t["ts_end"]);
        const auto it = results.find(id);
        t["results"] = it == results.end() ? Json::object() : std::move(it->second);
        out.push_back(std::move(t));
    }
    return out;
}

Json ResultsReader::trial(const std::string& exp_id, long long trial_id) const
{
    require_experiment(exp_id);
    SQLite::Statement query(m_impl->db, "SELECT config_id, status, trial_runner_id, ts_start, "
                                        "ts_end FROM trial WHERE exp_id = ? AND trial_id = ?");
    query.bind(1, exp_id);
    query.bind(2, static_cast<int64_t>(trial_id));
    if (!query.executeStep()) {
        throw ConfigError("unknown trial " + std::to_string(trial_id) + " in experiment '" +
                          exp_id + "'");
    }
    const long long config_id = query.getColumn(0).getInt64();
    Json t = {{"exp_id", exp_id},
              {"trial_id", trial_id},
              {"config_id", config_id},
              {"status", query.getColumn(1).getString()},
              {"trial_runner_id",
               query.getColumn(2).isNull() ? Json(nullptr) : Json(query.getColumn(2).getInt64())},
              {"ts_start", text_or_null(query.getColumn(3))},
              {"ts_end", text_or_null(query.getColumn(4))}};
    t["duration_s"] = duration(t["ts_start"], t["ts_end"]);

    Json config = Json::object();
    SQLite::Statement params(m_impl->db, "SELECT param_id, param_value FROM config_param WHERE "
                                         "config_id = ? ORDER BY param_id");
    params.bind(1, static_cast<int64_t>(config_id));
    while (params.executeStep()) {
        config[params.getColumn(0).getString()] = value_of(params.getColumn(1));
    }
    t["config"] = std::move(config);

    Json metadata = Json::object();
    SQLite::Statement meta(m_impl->db, "SELECT param_id, param_value FROM trial_param WHERE "
                                       "exp_id = ? AND trial_id = ? ORDER BY param_id");
    meta.bind(1, exp_id);
    meta.bind(2, static_cast<int64_t>(trial_id));
    while (meta.executeStep()) {
        const std::string name = meta.getColumn(0).getString();
        metadata[name] = metadata_value(name, meta.getColumn(1));
    }
    t["metadata"] = std::move(metadata);

    Json results = Json::object();
    SQLite::Statement res(m_impl->db, "SELECT metric_id, metric_value FROM trial_result WHERE "
                                      "exp_id = ? AND trial_id = ? ORDER BY metric_id");
    res.bind(1, exp_id);
    res.bind(2, static_cast<int64_t>(trial_id));
    while (res.executeStep()) {
        results[res.getColumn(0).getString()] = value_of(res.getColumn(1));
    }
    t["results"] = std::move(results);

    Json history = Json::array();
    SQLite::Statement hist(m_impl->db, "SELECT ts, status FROM trial_status WHERE exp_id = ? AND "
                                       "trial_id = ? ORDER BY ts");
    hist.bind(1, exp_id);
    hist.bind(2, static_cast<int64_t>(trial_id));
    while (hist.executeStep()) {
        history.push_back(
            {{"ts", hist.getColumn(0).getString()}, {"status", hist.getColumn(1).getString()}});
    }
    t["status_history"] = std::move(history);

    t["stdout_tail"] = nullptr;
    t["stderr_tail"] = nullptr;
    t["reason"] = nullptr;
    // trial_output is ours: a file written by mlos_bench lacks it.
    if (has_table("trial_output")) {
        SQLite::Statement out(m_impl->db, "SELECT stdout_tail, stderr_tail, reason FROM "
                                          "trial_output WHERE exp_id = ? AND trial_id = ?");
        out.bind(1, exp_id);
        out.bind(2, static_cast<int64_t>(trial_id));
        if (out.executeStep()) {
            t["stdout_tail"] = text_or_null(out.getColumn(0));
            t["stderr_tail"] = text_or_null(out.getColumn(1));
            t["reason"] = text_or_null(out.getColumn(2));
        }
    }
    return t;
}

bool ResultsReader::has_table(const char* name) const
{
    SQLite::Statement query(m_impl->db,
                            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    query.bind(1, name);
    return query.executeStep();
}

std::vector<MetricSample> ResultsReader::metrics(const std::string& exp_id,
                                                 const MetricsQuery& query) const
{
    require_experiment(exp_id);
    const auto trial_id = query.trial_id ? static_cast<int64_t>(*query.trial_id) : int64_t{0};
    if (query.trial_id) {
        SQLite::Statement exists(m_impl->db,
                                 "SELECT 1 FROM trial WHERE exp_id = ? AND trial_id = ?");
        exists.bind(1, exp_id);
        exists.bind(2, trial_id);
        if (!exists.executeStep()) {
            throw ConfigError("unknown trial " + std::to_string(trial_id) + " in experiment '" +
                              exp_id + "'");
        }
    }
    const auto time_of = [](const SQLite::Column& column) {
        const auto time = parse_timestamp(column.getString());
        if (!time) {
            throw Error("unreadable timestamp '" + column.getString() + "' in the storage");
        }
        return *time;
    };
    // The trial and metric filters run in SQL, so a narrow query reads few rows.
    std::string filter = query.trial_id ? " AND t.trial_id = ?" : "";
    if (!query.metrics.empty()) {
        filter += " AND metric_id IN (";
        for (std::size_t i = 0; i < query.metrics.size(); ++i) {
            filter += i == 0 ? "?" : ", ?";
        }
        filter += ")";
    }
    const auto bind_filter = [&](SQLite::Statement& statement) {
        int index = 1;
        statement.bind(index++, exp_id);
        if (query.trial_id) {
            statement.bind(index++, trial_id);
        }
        for (const auto& metric : query.metrics) {
            statement.bind(index++, metric);
        }
    };
    std::vector<MetricSample> samples;
    // trial_telemetry_metadata is ours (schema version 2): older files lack it.
    const std::string metadata_join =
        has_table("trial_telemetry_metadata")
            ? "m.metadata FROM trial_telemetry t LEFT JOIN trial_telemetry_metadata m USING "
              "(exp_id, trial_id, ts, metric_id)"
            : "NULL FROM trial_telemetry t";
    SQLite::Statement telemetry(m_impl->db, "SELECT t.trial_id, t.ts, t.metric_id, "
                                            "t.metric_value, " +
                                                metadata_join + " WHERE t.exp_id = ?" + filter);
    bind_filter(telemetry);
    while (telemetry.executeStep()) {
        MetricSample s;
        s.trial_id = telemetry.getColumn(0).getInt64();
        s.ts = time_of(telemetry.getColumn(1));
        s.metric = telemetry.getColumn(2).getString();
        s.value = value_of(telemetry.getColumn(3));
        if (!telemetry.getColumn(4).isNull()) {
            s.metadata = telemetry.getColumn(4).getString();
        }
        samples.push_back(std::move(s));
    }
    if (query.include_results) {
        // A result has no time of its own: the trial's end (its start while unfinished).
        SQLite::Statement results(m_impl->db,
                                  "SELECT t.trial_id, COALESCE(t.ts_end, t.ts_start), "
                                  "r.metric_id, r.metric_value FROM trial_result r JOIN trial t "
                                  "USING (exp_id, trial_id) WHERE t.exp_id = ?" +
                                      filter);
        bind_filter(results);
        while (results.executeStep()) {
            MetricSample s;
            s.trial_id = results.getColumn(0).getInt64();
            s.ts = time_of(results.getColumn(1));
            s.metric = results.getColumn(2).getString();
            s.value = value_of(results.getColumn(3));
            s.source = MetricSource::result;
            samples.push_back(std::move(s));
        }
    }
    sort_metric_samples(samples);
    return apply_metrics_query(std::move(samples), query);
}

Json ResultsReader::results_df(const std::string& exp_id) const
{
    require_experiment(exp_id);
    // Bulk reads (one query per table) so 10,000 trials stay fast.
    std::map<long long, std::map<std::string, Json>> configs;
    std::map<std::string, bool> config_names;
    SQLite::Statement params(m_impl->db,
                             "SELECT config_id, param_id, param_value FROM config_param WHERE "
                             "config_id IN (SELECT config_id FROM trial WHERE exp_id = ?)");
    params.bind(1, exp_id);
    while (params.executeStep()) {
        const std::string name = params.getColumn(1).getString();
        configs[params.getColumn(0).getInt64()][name] = value_of(params.getColumn(2));
        config_names[name] = true;
    }
    std::map<long long, std::map<std::string, Json>> results;
    std::map<std::string, bool> result_names;
    SQLite::Statement res(m_impl->db, "SELECT trial_id, metric_id, metric_value FROM "
                                      "trial_result WHERE exp_id = ?");
    res.bind(1, exp_id);
    while (res.executeStep()) {
        const std::string name = res.getColumn(1).getString();
        results[res.getColumn(0).getInt64()][name] = value_of(res.getColumn(2));
        result_names[name] = true;
    }
    Json rows = Json::array();
    std::map<long long, long long> group_of_config;
    SQLite::Statement query(m_impl->db, "SELECT trial_id, ts_start, ts_end, config_id, status, "
                                        "trial_runner_id FROM trial WHERE exp_id = ? ORDER BY "
                                        "trial_id");
    query.bind(1, exp_id);
    while (query.executeStep()) {
        const long long id = query.getColumn(0).getInt64();
        const long long config_id = query.getColumn(3).getInt64();
        // Trials come in id order, so the first one seen per config is the smallest id.
        const long long group = group_of_config.emplace(config_id, id).first->second;
        Json row = {{"trial_id", id},
                    {"ts_start", text_or_null(query.getColumn(1))},
                    {"ts_end", text_or_null(query.getColumn(2))},
                    {"tunable_config_id", config_id},
                    {"tunable_config_trial_group_id", group},
                    {"status", query.getColumn(4).getString()},
                    {"trial_runner_id", query.getColumn(5).isNull()
                                            ? Json(nullptr)
                                            : Json(query.getColumn(5).getInt64())}};
        const auto& config = configs[config_id];
        for (const auto& [name, unused] : config_names) {
            const auto it = config.find(name);
            row["config." + name] = it == config.end() ? Json(nullptr) : it->second;
        }
        const auto& result = results[id];
        for (const auto& [name, unused] : result_names) {
            const auto it = result.find(name);
            row["result." + name] = it == result.end() ? Json(nullptr) : it->second;
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<TelemetryRow> ResultsReader::telemetry(const std::string& exp_id) const
{
    require_experiment(exp_id);
    std::vector<TelemetryRow> rows;
    SQLite::Statement query(m_impl->db, "SELECT trial_id, ts, metric_id, metric_value FROM "
                                        "trial_telemetry WHERE exp_id = ? ORDER BY trial_id, ts, "
                                        "metric_id");
    query.bind(1, exp_id);
    while (query.executeStep()) {
        TelemetryRow row;
        row.trial_id = query.getColumn(0).getInt64();
        row.ts = iso8601(query.getColumn(1).getString());
        row.metric = query.getColumn(2).getString();
        if (!query.getColumn(3).isNull()) {
            row.value = query.getColumn(3).getString();
        }
        rows.push_back(std::move(row));
    }
    return rows;
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
               ", \"ts\": " + json_dump(Json(row.ts)) + ", \"metric\": " +
               json_dump(Json(row.metric)) + ", \"value\": " +
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
