#include "mlosbench/storage/sqlite_reader.hpp"

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/util/error.hpp"
#include "storage/detail/stored_values.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <filesystem>
#include <map>

namespace mlosbench {
namespace {

std::optional<std::string> text_of(const SQLite::Column& column)
{
    return column.isNull() ? std::nullopt : std::optional(column.getString());
}

std::optional<std::int64_t> integer_of(const SQLite::Column& column)
{
    return column.isNull() ? std::nullopt : std::optional(column.getInt64());
}

// A stored value as the results commands show it (numbers as numbers); NULL is null.
Json value_of(const SQLite::Column& column)
{
    return column.isNull() ? Json(nullptr) : detail::decode_display_value(column.getString());
}

// trial_param values are metadata, never tunables: the ones with secret names are masked.
Json metadata_value(const std::string& name, const SQLite::Column& column)
{
    if (!column.isNull() && is_secret_name(name)) {
        return detail::k_masked_value;
    }
    return value_of(column);
}

} // namespace

SqliteReader::SqliteReader(const std::string& path)
{
    if (!std::filesystem::exists(path)) {
        throw ConfigError(path, "", "storage file not found");
    }
    try {
        // Identified first by a connection that cannot write: reading a foreign file with a
        // read-write connection could still checkpoint its write-ahead log into it.
        const SqliteFileIdentity identity = identify_sqlite_file(path);
        if (identity.kind == SqliteFileKind::empty) {
            throw ConfigError(path, "", "not an mlosbench storage file (it has no tables)");
        }
        if (identity.kind == SqliteFileKind::foreign) {
            throw ConfigError(path, "",
                              "not an mlosbench or mlos_bench storage file (" + identity.mismatch +
                                  ")");
        }
    } catch (const SQLite::Exception& e) {
        throw ConfigError(path, "", std::string("cannot read storage: ") + e.what());
    }
    m_db = open_sqlite_for_reading(path);
}

SqliteReader::~SqliteReader() = default;

bool SqliteReader::has_experiment(const std::string& exp_id) const
{
    SQLite::Statement query(*m_db, "SELECT 1 FROM experiment WHERE exp_id = ?");
    query.bind(1, exp_id);
    return query.executeStep();
}

bool SqliteReader::has_trial(const std::string& exp_id, std::int64_t trial_id) const
{
    SQLite::Statement query(*m_db, "SELECT 1 FROM trial WHERE exp_id = ? AND trial_id = ?");
    query.bind(1, exp_id);
    query.bind(2, trial_id);
    return query.executeStep();
}

bool SqliteReader::has_table(const char* name) const
{
    SQLite::Statement query(*m_db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    query.bind(1, name);
    return query.executeStep();
}

std::vector<ExperimentSummary> SqliteReader::experiments() const
{
    std::vector<ExperimentSummary> out;
    SQLite::Statement exps(*m_db, "SELECT exp_id, description, status, ts_start, ts_end "
                                  "FROM experiment ORDER BY exp_id");
    while (exps.executeStep()) {
        ExperimentSummary exp;
        exp.exp_id = exps.getColumn(0).getString();
        exp.description = text_of(exps.getColumn(1));
        exp.status = text_of(exps.getColumn(2));
        exp.ts_start = text_of(exps.getColumn(3));
        exp.ts_end = text_of(exps.getColumn(4));
        SQLite::Statement objs(*m_db, "SELECT optimization_target, optimization_direction FROM "
                                      "objectives WHERE exp_id = ? ORDER BY rowid");
        objs.bind(1, exp.exp_id);
        while (objs.executeStep()) {
            exp.objectives.push_back(
                {objs.getColumn(0).getString(), objs.getColumn(1).getString()});
        }
        SQLite::Statement counts(*m_db, "SELECT status, COUNT(*) FROM trial WHERE exp_id = ? "
                                        "GROUP BY status ORDER BY status");
        counts.bind(1, exp.exp_id);
        while (counts.executeStep()) {
            const std::int64_t n = counts.getColumn(1).getInt64();
            exp.trials_by_status.emplace_back(counts.getColumn(0).getString(), n);
            exp.total_trials += n;
        }
        if (!exp.objectives.empty()) {
            const std::string& target = exp.objectives[0].name;
            const bool maximize = exp.objectives[0].direction == "max";
            SQLite::Statement scores(*m_db,
                                     "SELECT r.trial_id, r.metric_value FROM trial_result r JOIN "
                                     "trial t USING (exp_id, trial_id) WHERE r.exp_id = ? AND "
                                     "r.metric_id = ? AND t.status = 'SUCCEEDED' ORDER BY "
                                     "r.trial_id");
            scores.bind(1, exp.exp_id);
            scores.bind(2, target);
            while (scores.executeStep()) {
                Json score = value_of(scores.getColumn(1));
                if (!score.is_number()) {
                    continue;
                }
                const double v = score.get<double>();
                if (!exp.best || (maximize ? v > exp.best->score.get<double>()
                                           : v < exp.best->score.get<double>())) {
                    exp.best = BestTrial{scores.getColumn(0).getInt64(), target, std::move(score)};
                }
            }
        }
        out.push_back(std::move(exp));
    }
    return out;
}

std::vector<TrialRow> SqliteReader::trials(const std::string& exp_id) const
{
    std::map<std::int64_t, Json> results;
    SQLite::Statement res(*m_db, "SELECT trial_id, metric_id, metric_value FROM "
                                 "trial_result WHERE exp_id = ? ORDER BY trial_id, metric_id");
    res.bind(1, exp_id);
    while (res.executeStep()) {
        results[res.getColumn(0).getInt64()][res.getColumn(1).getString()] =
            value_of(res.getColumn(2));
    }
    std::vector<TrialRow> out;
    SQLite::Statement query(*m_db, "SELECT trial_id, config_id, status, trial_runner_id, "
                                   "ts_start, ts_end FROM trial WHERE exp_id = ? ORDER BY "
                                   "trial_id");
    query.bind(1, exp_id);
    while (query.executeStep()) {
        TrialRow t;
        t.trial_id = query.getColumn(0).getInt64();
        t.config_id = query.getColumn(1).getInt64();
        t.status = query.getColumn(2).getString();
        t.trial_runner_id = integer_of(query.getColumn(3));
        t.ts_start = text_of(query.getColumn(4));
        t.ts_end = text_of(query.getColumn(5));
        const auto it = results.find(t.trial_id);
        if (it != results.end()) {
            t.results = std::move(it->second);
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::optional<TrialDetail> SqliteReader::trial(const std::string& exp_id,
                                               std::int64_t trial_id) const
{
    SQLite::Statement query(*m_db, "SELECT config_id, status, trial_runner_id, ts_start, "
                                   "ts_end FROM trial WHERE exp_id = ? AND trial_id = ?");
    query.bind(1, exp_id);
    query.bind(2, trial_id);
    if (!query.executeStep()) {
        return std::nullopt;
    }
    TrialDetail d;
    d.exp_id = exp_id;
    d.trial.trial_id = trial_id;
    d.trial.config_id = query.getColumn(0).getInt64();
    d.trial.status = query.getColumn(1).getString();
    d.trial.trial_runner_id = integer_of(query.getColumn(2));
    d.trial.ts_start = text_of(query.getColumn(3));
    d.trial.ts_end = text_of(query.getColumn(4));

    SQLite::Statement params(*m_db, "SELECT param_id, param_value FROM config_param WHERE "
                                    "config_id = ? ORDER BY param_id");
    params.bind(1, d.trial.config_id);
    while (params.executeStep()) {
        d.config[params.getColumn(0).getString()] = value_of(params.getColumn(1));
    }

    SQLite::Statement meta(*m_db, "SELECT param_id, param_value FROM trial_param WHERE "
                                  "exp_id = ? AND trial_id = ? ORDER BY param_id");
    meta.bind(1, exp_id);
    meta.bind(2, trial_id);
    while (meta.executeStep()) {
        const std::string name = meta.getColumn(0).getString();
        d.metadata[name] = metadata_value(name, meta.getColumn(1));
    }

    SQLite::Statement res(*m_db, "SELECT metric_id, metric_value FROM trial_result WHERE "
                                 "exp_id = ? AND trial_id = ? ORDER BY metric_id");
    res.bind(1, exp_id);
    res.bind(2, trial_id);
    while (res.executeStep()) {
        d.trial.results[res.getColumn(0).getString()] = value_of(res.getColumn(1));
    }

    SQLite::Statement hist(*m_db, "SELECT ts, status FROM trial_status WHERE exp_id = ? AND "
                                  "trial_id = ? ORDER BY ts");
    hist.bind(1, exp_id);
    hist.bind(2, trial_id);
    while (hist.executeStep()) {
        d.status_history.push_back({hist.getColumn(0).getString(), hist.getColumn(1).getString()});
    }

    // trial_output is ours: a file written by mlos_bench lacks it.
    if (has_table("trial_output")) {
        SQLite::Statement out(*m_db, "SELECT stdout_tail, stderr_tail, reason FROM "
                                     "trial_output WHERE exp_id = ? AND trial_id = ?");
        out.bind(1, exp_id);
        out.bind(2, trial_id);
        if (out.executeStep()) {
            d.stdout_tail = text_of(out.getColumn(0));
            d.stderr_tail = text_of(out.getColumn(1));
            d.reason = text_of(out.getColumn(2));
        }
    }
    return d;
}

std::vector<WorkerRecord> SqliteReader::workers(const std::string& exp_id) const
{
    std::vector<WorkerRecord> out;
    // experiment_worker is ours (schema version 4): older files and mlos_bench's lack it.
    if (!has_table("experiment_worker")) {
        return out;
    }
    SQLite::Statement query(*m_db, "SELECT worker_id, hostname, pid, ts_start, ts_heartbeat, "
                                   "ts_end, state FROM experiment_worker WHERE exp_id = ? "
                                   "ORDER BY worker_id");
    query.bind(1, exp_id);
    while (query.executeStep()) {
        WorkerRecord w;
        w.worker_id = query.getColumn(0).getInt64();
        w.host = query.getColumn(1).getString();
        w.pid = query.getColumn(2).getInt();
        w.ts_start = detail::parse_stored_time(query.getColumn(3).getString());
        w.ts_heartbeat = detail::parse_stored_time(query.getColumn(4).getString());
        if (!query.getColumn(5).isNull()) {
            w.ts_end = detail::parse_stored_time(query.getColumn(5).getString());
        }
        w.state = query.getColumn(6).getString();
        out.push_back(std::move(w));
    }
    return out;
}

std::vector<MetricSample> SqliteReader::metric_samples(const std::string& exp_id,
                                                       const MetricSampleFilter& filter) const
{
    // The trial and metric filters run in SQL, so a narrow query reads few rows.
    std::string where = filter.trial_id ? " AND t.trial_id = ?" : "";
    if (!filter.metrics.empty()) {
        where += " AND metric_id IN (";
        for (std::size_t i = 0; i < filter.metrics.size(); ++i) {
            where += i == 0 ? "?" : ", ?";
        }
        where += ")";
    }
    const auto bind_filter = [&](SQLite::Statement& statement) {
        int index = 1;
        statement.bind(index++, exp_id);
        if (filter.trial_id) {
            statement.bind(index++, *filter.trial_id);
        }
        for (const auto& metric : filter.metrics) {
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
    SQLite::Statement telemetry(*m_db, "SELECT t.trial_id, t.ts, t.metric_id, "
                                       "t.metric_value, " +
                                           metadata_join + " WHERE t.exp_id = ?" + where);
    bind_filter(telemetry);
    while (telemetry.executeStep()) {
        MetricSample s;
        s.trial_id = telemetry.getColumn(0).getInt64();
        s.ts = detail::parse_stored_time(telemetry.getColumn(1).getString());
        s.metric = telemetry.getColumn(2).getString();
        s.value = value_of(telemetry.getColumn(3));
        s.metadata = text_of(telemetry.getColumn(4));
        samples.push_back(std::move(s));
    }
    if (filter.include_results) {
        // A result has no time of its own: the trial's end (its start while unfinished).
        SQLite::Statement results(*m_db,
                                  "SELECT t.trial_id, COALESCE(t.ts_end, t.ts_start), "
                                  "r.metric_id, r.metric_value FROM trial_result r JOIN trial t "
                                  "USING (exp_id, trial_id) WHERE t.exp_id = ?" +
                                      where);
        bind_filter(results);
        while (results.executeStep()) {
            MetricSample s;
            s.trial_id = results.getColumn(0).getInt64();
            s.ts = detail::parse_stored_time(results.getColumn(1).getString());
            s.metric = results.getColumn(2).getString();
            s.value = value_of(results.getColumn(3));
            s.source = MetricSource::result;
            samples.push_back(std::move(s));
        }
    }
    return samples;
}

ResultsFrame SqliteReader::results_frame(const std::string& exp_id) const
{
    // Bulk reads (one query per table) so 10,000 trials stay fast.
    std::map<std::int64_t, std::map<std::string, Json>> configs;
    std::map<std::string, std::size_t> config_names;
    SQLite::Statement params(*m_db,
                             "SELECT config_id, param_id, param_value FROM config_param WHERE "
                             "config_id IN (SELECT config_id FROM trial WHERE exp_id = ?)");
    params.bind(1, exp_id);
    while (params.executeStep()) {
        const std::string name = params.getColumn(1).getString();
        configs[params.getColumn(0).getInt64()][name] = value_of(params.getColumn(2));
        config_names[name] = 0;
    }
    std::map<std::int64_t, std::map<std::string, Json>> results;
    std::map<std::string, std::size_t> result_names;
    SQLite::Statement res(*m_db, "SELECT trial_id, metric_id, metric_value FROM "
                                 "trial_result WHERE exp_id = ?");
    res.bind(1, exp_id);
    while (res.executeStep()) {
        const std::string name = res.getColumn(1).getString();
        results[res.getColumn(0).getInt64()][name] = value_of(res.getColumn(2));
        result_names[name] = 0;
    }
    ResultsFrame frame;
    for (auto& [name, index] : config_names) {
        index = frame.config_names.size();
        frame.config_names.push_back(name);
    }
    for (auto& [name, index] : result_names) {
        index = frame.result_names.size();
        frame.result_names.push_back(name);
    }
    // One row's values in the order of the names, null where it has none.
    const auto aligned = [](const std::map<std::string, Json>& values,
                            const std::map<std::string, std::size_t>& names) {
        std::vector<Json> out(names.size());
        for (const auto& [name, value] : values) {
            out[names.at(name)] = value;
        }
        return out;
    };
    std::map<std::int64_t, std::int64_t> group_of_config;
    SQLite::Statement query(*m_db, "SELECT trial_id, ts_start, ts_end, config_id, status, "
                                   "trial_runner_id FROM trial WHERE exp_id = ? ORDER BY "
                                   "trial_id");
    query.bind(1, exp_id);
    while (query.executeStep()) {
        ResultsFrameRow row;
        row.trial_id = query.getColumn(0).getInt64();
        row.ts_start = text_of(query.getColumn(1));
        row.ts_end = text_of(query.getColumn(2));
        row.tunable_config_id = query.getColumn(3).getInt64();
        // Trials come in id order, so the first one seen per config is the smallest id.
        row.tunable_config_trial_group_id =
            group_of_config.emplace(row.tunable_config_id, row.trial_id).first->second;
        row.status = query.getColumn(4).getString();
        row.trial_runner_id = integer_of(query.getColumn(5));
        row.config = aligned(configs[row.tunable_config_id], config_names);
        row.results = aligned(results[row.trial_id], result_names);
        frame.rows.push_back(std::move(row));
    }
    return frame;
}

std::vector<TelemetryRow> SqliteReader::telemetry(const std::string& exp_id) const
{
    std::vector<TelemetryRow> rows;
    SQLite::Statement query(*m_db, "SELECT trial_id, ts, metric_id, metric_value FROM "
                                   "trial_telemetry WHERE exp_id = ? ORDER BY trial_id, ts, "
                                   "metric_id");
    query.bind(1, exp_id);
    while (query.executeStep()) {
        TelemetryRow row;
        row.trial_id = query.getColumn(0).getInt64();
        row.ts = detail::stored_time_iso8601(query.getColumn(1).getString());
        row.metric = query.getColumn(2).getString();
        row.value = text_of(query.getColumn(3));
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace mlosbench
