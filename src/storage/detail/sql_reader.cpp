#include "sql_reader.hpp"

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/util/error.hpp"
#include "stored_values.hpp"

#include <map>

namespace mlosbench::detail {
namespace {

// A stored value as the results commands show it (numbers as numbers); NULL is null.
Json value_of(const SqlColumn& column)
{
    return column.is_null() ? Json(nullptr) : decode_display_value(column.text());
}

// trial_param values are metadata, never tunables: the ones with secret names are masked.
Json metadata_value(const std::string& name, const SqlColumn& column)
{
    if (!column.is_null() && is_secret_name(name)) {
        return k_masked_value;
    }
    return value_of(column);
}

} // namespace

SqlReader::SqlReader(std::shared_ptr<SharedConnection> connection)
    : m_connection(std::move(connection))
{
}

bool SqlReader::has_experiment(const std::string& exp_id) const
{
    return m_connection->locked("reading has experiment of " + in_quotes(exp_id), [&]() {
        Query query(sql().statement("SELECT 1 FROM experiment WHERE exp_id = ?"));
        query.bind(exp_id);
        return query.step();
    });
}

bool SqlReader::has_trial(const std::string& exp_id, std::int64_t trial_id) const
{
    return m_connection->locked("reading has trial of " + in_quotes(exp_id), [&]() {
        Query query(sql().statement("SELECT 1 FROM trial WHERE exp_id = ? AND trial_id = ?"));
        query.bind(exp_id, trial_id);
        return query.step();
    });
}

bool SqlReader::has_table(const char* name) const
{
    const auto it = m_tables.find(name);
    if (it != m_tables.end()) {
        return it->second;
    }
    return m_tables[name] = sql().has_table(name);
}

std::vector<ExperimentSummary> SqlReader::experiments() const
{
    return m_connection->locked("reading the experiments", [&]() {
        std::vector<ExperimentSummary> out;
        Query exps(sql().statement("SELECT exp_id, description, status, ts_start, ts_end "
                                   "FROM experiment ORDER BY exp_id"));
        while (exps.step()) {
            ExperimentSummary exp;
            exp.exp_id = exps.column(0).text();
            exp.description = exps.column(1).optional_text();
            exp.status = exps.column(2).optional_text();
            exp.ts_start = exps.column(3).optional_text();
            exp.ts_end = exps.column(4).optional_text();
            Query objs(objectives_query());
            objs.bind(exp.exp_id);
            while (objs.step()) {
                exp.objectives.push_back({objs.column(0).text(), objs.column(1).text()});
            }
            Query counts(sql().statement("SELECT status, COUNT(*) FROM trial WHERE exp_id = ? "
                                         "GROUP BY status ORDER BY status"));
            counts.bind(exp.exp_id);
            while (counts.step()) {
                const std::int64_t n = counts.column(1).int64();
                exp.trials_by_status.emplace_back(counts.column(0).text(), n);
                exp.total_trials += n;
            }
            if (!exp.objectives.empty()) {
                const std::string& target = exp.objectives[0].name;
                const bool maximize = exp.objectives[0].direction == "max";
                Query scores(
                    sql().statement("SELECT r.trial_id, r.metric_value FROM trial_result r JOIN "
                                    "trial t USING (exp_id, trial_id) WHERE r.exp_id = ? AND "
                                    "r.metric_id = ? AND t.status = 'SUCCEEDED' ORDER BY "
                                    "r.trial_id"));
                scores.bind(exp.exp_id, target);
                while (scores.step()) {
                    Json score = value_of(scores.column(1));
                    if (!score.is_number()) {
                        continue;
                    }
                    const double v = score.get<double>();
                    if (!exp.best || (maximize ? v > exp.best->score.get<double>()
                                               : v < exp.best->score.get<double>())) {
                        exp.best = BestTrial{scores.column(0).int64(), target, std::move(score)};
                    }
                }
            }
            out.push_back(std::move(exp));
        }
        return out;
    });
}

std::vector<TrialRow> SqlReader::trials(const std::string& exp_id) const
{
    return m_connection->locked("reading trials of " + in_quotes(exp_id), [&]() {
        std::map<std::int64_t, Json> results;
        Query res(sql().statement("SELECT trial_id, metric_id, metric_value FROM "
                                  "trial_result WHERE exp_id = ? ORDER BY trial_id, metric_id"));
        res.bind(exp_id);
        while (res.step()) {
            results[res.column(0).int64()][res.column(1).text()] = value_of(res.column(2));
        }
        std::vector<TrialRow> out;
        Query query(sql().statement("SELECT trial_id, config_id, status, trial_runner_id, "
                                    "ts_start, ts_end FROM trial WHERE exp_id = ? ORDER BY "
                                    "trial_id"));
        query.bind(exp_id);
        while (query.step()) {
            TrialRow t;
            t.trial_id = query.column(0).int64();
            t.config_id = query.column(1).int64();
            t.status = query.column(2).text();
            t.trial_runner_id = query.column(3).optional_int64();
            t.ts_start = query.column(4).optional_text();
            t.ts_end = query.column(5).optional_text();
            const auto it = results.find(t.trial_id);
            if (it != results.end()) {
                t.results = std::move(it->second);
            }
            out.push_back(std::move(t));
        }
        return out;
    });
}

std::optional<TrialDetail> SqlReader::trial(const std::string& exp_id, std::int64_t trial_id) const
{
    return m_connection->locked(
        "reading trial of " + in_quotes(exp_id), [&]() -> std::optional<TrialDetail> {
            Query query(sql().statement("SELECT config_id, status, trial_runner_id, ts_start, "
                                        "ts_end FROM trial WHERE exp_id = ? AND trial_id = ?"));
            query.bind(exp_id, trial_id);
            if (!query.step()) {
                return std::nullopt;
            }
            TrialDetail d;
            d.exp_id = exp_id;
            d.trial.trial_id = trial_id;
            d.trial.config_id = query.column(0).int64();
            d.trial.status = query.column(1).text();
            d.trial.trial_runner_id = query.column(2).optional_int64();
            d.trial.ts_start = query.column(3).optional_text();
            d.trial.ts_end = query.column(4).optional_text();

            Query params(sql().statement("SELECT param_id, param_value FROM config_param WHERE "
                                         "config_id = ? ORDER BY param_id"));
            params.bind(d.trial.config_id);
            while (params.step()) {
                d.config[params.column(0).text()] = value_of(params.column(1));
            }

            Query meta(sql().statement("SELECT param_id, param_value FROM trial_param WHERE "
                                       "exp_id = ? AND trial_id = ? ORDER BY param_id"));
            meta.bind(exp_id, trial_id);
            while (meta.step()) {
                const std::string name = meta.column(0).text();
                d.metadata[name] = metadata_value(name, meta.column(1));
            }

            Query res(sql().statement("SELECT metric_id, metric_value FROM trial_result WHERE "
                                      "exp_id = ? AND trial_id = ? ORDER BY metric_id"));
            res.bind(exp_id, trial_id);
            while (res.step()) {
                d.trial.results[res.column(0).text()] = value_of(res.column(1));
            }

            Query hist(sql().statement("SELECT ts, status FROM trial_status WHERE exp_id = ? AND "
                                       "trial_id = ? ORDER BY ts"));
            hist.bind(exp_id, trial_id);
            while (hist.step()) {
                d.status_history.push_back({hist.column(0).text(), hist.column(1).text()});
            }

            // trial_output is ours: a file written by mlos_bench lacks it.
            if (has_table("trial_output")) {
                Query out(sql().statement("SELECT stdout_tail, stderr_tail, reason FROM "
                                          "trial_output WHERE exp_id = ? AND trial_id = ?"));
                out.bind(exp_id, trial_id);
                if (out.step()) {
                    d.stdout_tail = out.column(0).optional_text();
                    d.stderr_tail = out.column(1).optional_text();
                    d.reason = out.column(2).optional_text();
                }
            }
            return d;
        });
}

std::optional<Json> SqlReader::tunable_definitions(const std::string& exp_id) const
{
    return m_connection->locked("reading tunables of " + in_quotes(exp_id), [&]() {
        std::optional<Json> out;
        // experiment_tunables is ours: mlos_bench's files lack it.
        if (!has_table("experiment_tunables")) {
            return out;
        }
        Query query(sql().statement("SELECT tunables FROM experiment_tunables WHERE exp_id = ?"));
        if (query.bind(exp_id).step()) {
            Json doc = Json::parse(query.column(0).text(), nullptr, false);
            if (doc.is_object()) {
                out = std::move(doc);
            }
        }
        return out;
    });
}

std::vector<WorkerRecord> SqlReader::workers(const std::string& exp_id) const
{
    return m_connection->locked("reading workers of " + in_quotes(exp_id), [&]() {
        std::vector<WorkerRecord> out;
        // experiment_worker is ours (schema version 4): older files and mlos_bench's lack it.
        if (!has_table("experiment_worker")) {
            return out;
        }
        Query query(sql().statement("SELECT worker_id, hostname, pid, ts_start, ts_heartbeat, "
                                    "ts_end, state FROM experiment_worker WHERE exp_id = ? "
                                    "ORDER BY worker_id"));
        query.bind(exp_id);
        while (query.step()) {
            WorkerRecord w;
            w.worker_id = query.column(0).int64();
            w.host = query.column(1).text();
            w.pid = query.column(2).integer();
            w.ts_start = parse_stored_time(query.column(3).text());
            w.ts_heartbeat = parse_stored_time(query.column(4).text());
            if (!query.column(5).is_null()) {
                w.ts_end = parse_stored_time(query.column(5).text());
            }
            w.state = query.column(6).text();
            out.push_back(std::move(w));
        }
        return out;
    });
}

std::vector<MetricSample> SqlReader::metric_samples(const std::string& exp_id,
                                                    const MetricSampleFilter& filter) const
{
    return m_connection->locked("reading metric samples of " + in_quotes(exp_id), [&]() {
        // The trial and metric filters run in SQL, so a narrow query reads few rows.
        std::string where = filter.trial_id ? " AND t.trial_id = ?" : "";
        if (!filter.metrics.empty()) {
            where += " AND metric_id IN (";
            for (std::size_t i = 0; i < filter.metrics.size(); ++i) {
                where += i == 0 ? "?" : ", ?";
            }
            where += ")";
        }
        const auto bind_filter = [&](SqlStatement& statement) {
            int index = 1;
            statement.bind_text(index++, exp_id);
            if (filter.trial_id) {
                statement.bind_int64(index++, *filter.trial_id);
            }
            for (const auto& metric : filter.metrics) {
                statement.bind_text(index++, metric);
            }
        };
        std::vector<MetricSample> samples;
        // trial_telemetry_metadata is ours (schema version 2): older files lack it.
        const std::string metadata_join =
            has_table("trial_telemetry_metadata")
                ? "m.metadata FROM trial_telemetry t LEFT JOIN trial_telemetry_metadata m USING "
                  "(exp_id, trial_id, ts, metric_id)"
                : "NULL FROM trial_telemetry t";
        const auto telemetry_statement =
            sql().prepare("SELECT t.trial_id, t.ts, t.metric_id, "
                          "t.metric_value, " +
                          metadata_join + " WHERE t.exp_id = ?" + where);
        Query telemetry(*telemetry_statement);
        bind_filter(*telemetry_statement);
        while (telemetry.step()) {
            MetricSample s;
            s.trial_id = telemetry.column(0).int64();
            s.ts = parse_stored_time(telemetry.column(1).text());
            s.metric = telemetry.column(2).text();
            s.value = value_of(telemetry.column(3));
            s.metadata = telemetry.column(4).optional_text();
            samples.push_back(std::move(s));
        }
        if (filter.include_results) {
            // A result has no time of its own: the trial's end (its start while unfinished).
            const auto results_statement =
                sql().prepare("SELECT t.trial_id, COALESCE(t.ts_end, t.ts_start), "
                              "r.metric_id, r.metric_value FROM trial_result r JOIN trial t "
                              "USING (exp_id, trial_id) WHERE t.exp_id = ?" +
                              where);
            Query results(*results_statement);
            bind_filter(*results_statement);
            while (results.step()) {
                MetricSample s;
                s.trial_id = results.column(0).int64();
                s.ts = parse_stored_time(results.column(1).text());
                s.metric = results.column(2).text();
                s.value = value_of(results.column(3));
                s.source = MetricSource::result;
                samples.push_back(std::move(s));
            }
        }
        return samples;
    });
}

ResultsFrame SqlReader::results_frame(const std::string& exp_id) const
{
    return m_connection->locked("reading results frame of " + in_quotes(exp_id), [&]() {
        // Bulk reads (one query per table) so 10,000 trials stay fast.
        std::map<std::int64_t, std::map<std::string, Json>> configs;
        std::map<std::string, std::size_t> config_names;
        Query params(
            sql().statement("SELECT config_id, param_id, param_value FROM config_param WHERE "
                            "config_id IN (SELECT config_id FROM trial WHERE exp_id = ?)"));
        params.bind(exp_id);
        while (params.step()) {
            const std::string name = params.column(1).text();
            configs[params.column(0).int64()][name] = value_of(params.column(2));
            config_names[name] = 0;
        }
        std::map<std::int64_t, std::map<std::string, Json>> results;
        std::map<std::string, std::size_t> result_names;
        Query res(sql().statement("SELECT trial_id, metric_id, metric_value FROM "
                                  "trial_result WHERE exp_id = ?"));
        res.bind(exp_id);
        while (res.step()) {
            const std::string name = res.column(1).text();
            results[res.column(0).int64()][name] = value_of(res.column(2));
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
        Query query(sql().statement("SELECT trial_id, ts_start, ts_end, config_id, status, "
                                    "trial_runner_id FROM trial WHERE exp_id = ? ORDER BY "
                                    "trial_id"));
        query.bind(exp_id);
        while (query.step()) {
            ResultsFrameRow row;
            row.trial_id = query.column(0).int64();
            row.ts_start = query.column(1).optional_text();
            row.ts_end = query.column(2).optional_text();
            row.tunable_config_id = query.column(3).int64();
            // Trials come in id order, so the first one seen per config is the smallest id.
            row.tunable_config_trial_group_id =
                group_of_config.emplace(row.tunable_config_id, row.trial_id).first->second;
            row.status = query.column(4).text();
            row.trial_runner_id = query.column(5).optional_int64();
            row.config = aligned(configs[row.tunable_config_id], config_names);
            row.results = aligned(results[row.trial_id], result_names);
            frame.rows.push_back(std::move(row));
        }
        return frame;
    });
}

std::vector<TelemetryRow> SqlReader::telemetry(const std::string& exp_id) const
{
    return m_connection->locked("reading telemetry of " + in_quotes(exp_id), [&]() {
        std::vector<TelemetryRow> rows;
        Query query(sql().statement("SELECT trial_id, ts, metric_id, metric_value FROM "
                                    "trial_telemetry WHERE exp_id = ? ORDER BY trial_id, ts, "
                                    "metric_id"));
        query.bind(exp_id);
        while (query.step()) {
            TelemetryRow row;
            row.trial_id = query.column(0).int64();
            row.ts = stored_time_iso8601(query.column(1).text());
            row.metric = query.column(2).text();
            row.value = query.column(3).optional_text();
            rows.push_back(std::move(row));
        }
        return rows;
    });
}

SqlStatement& SqlReader::objectives_query() const
{
    // objective_position is ours (schema version 5): older files and mlos_bench's lack it.
    // Without it, SQLite keeps the order they were written in (rowid); on PostgreSQL, which
    // keeps none, they come in mlos_bench's order, by name.
    if (has_table("objective_position")) {
        return sql().statement(
            "SELECT o.optimization_target, o.optimization_direction FROM objectives o LEFT "
            "JOIN objective_position p ON p.exp_id = o.exp_id AND p.optimization_target = "
            "o.optimization_target WHERE o.exp_id = ? ORDER BY p.position IS NULL, p.position, "
            "o.optimization_target");
    }
    if (sql().dialect() == SqlDialect::sqlite) {
        return sql().statement("SELECT optimization_target, optimization_direction FROM "
                               "objectives WHERE exp_id = ? ORDER BY rowid");
    }
    return sql().statement("SELECT optimization_target, optimization_direction FROM objectives "
                           "WHERE exp_id = ? ORDER BY optimization_target");
}

} // namespace mlosbench::detail
