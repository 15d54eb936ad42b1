#pragma once

#include "mlosbench/results/metrics_query.hpp"
#include "mlosbench/storage/storage_reader.hpp"
#include "mlosbench/storage/telemetry_row.hpp"
#include "mlosbench/util/json.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// What `show`, `export`, `metrics`, `plot` and `report` print, read through a StorageReader
/// (the storage owns the schema and its SQL; this turns its typed rows into the documents the
/// commands print and reports unknown experiments and trials). Values come back as JSON
/// documents (the shape `--json` prints), times (`ts`, `ts_*`) in ISO 8601 UTC
/// ("2026-12-01T20:16:03.123456Z"); parameter values of non-tunable parameters with secret
/// names are masked.
class ResultsReader
{
public:
    /// Opens the SQLite storage file `database` read-only (SqliteReader). Throws ConfigError
    /// when the file does not exist or is not an mlosbench/mlos_bench storage file.
    explicit ResultsReader(const std::string& database);
    /// Reads through `storage` (any backend).
    explicit ResultsReader(std::unique_ptr<StorageReader> storage);
    ~ResultsReader();
    ResultsReader(const ResultsReader&) = delete;
    ResultsReader& operator=(const ResultsReader&) = delete;

    /// Every experiment: exp_id, description, status, ts_start, ts_end, objectives
    /// ([{name, direction}]), trials ({total, by_status}), best ({trial_id, score}) or null.
    [[nodiscard]] Json experiments() const;

    /// The element of experiments() for `exp_id`. Throws ConfigError("unknown experiment
    /// 'ID'") when it is not stored.
    [[nodiscard]] Json experiment(const std::string& exp_id) const;

    /// The trials of `exp_id` by id: trial_id, config_id, status, trial_runner_id, ts_start,
    /// ts_end, duration_s (null while running), results ({metric: value}). Throws ConfigError
    /// for an unknown experiment.
    [[nodiscard]] Json trials(const std::string& exp_id) const;

    /// The workers (processes) that worked on `exp_id` by worker id: worker_id, host, pid,
    /// ts_start, ts_heartbeat, ts_end (null while it works), state ("running", "finished",
    /// "lost"). Throws ConfigError for an unknown experiment.
    [[nodiscard]] Json workers(const std::string& exp_id) const;

    /// One trial: the fields of trials() plus config ({param: value}), metadata (trial_param),
    /// status_history ([{ts, status}]), stdout_tail, stderr_tail, reason. Throws ConfigError
    /// for an unknown experiment or trial.
    [[nodiscard]] Json trial(const std::string& exp_id, long long trial_id) const;

    /// mlos_bench's results_df: one object per trial with trial_id, ts_start, ts_end,
    /// tunable_config_id, tunable_config_trial_group_id, status, trial_runner_id, config.*,
    /// result.* (numeric strings as numbers). Column order is the key order of the first row,
    /// the same in every row. Throws ConfigError for an unknown experiment.
    [[nodiscard]] Json results_df(const std::string& exp_id) const;

    /// The tunable definitions of `exp_id` by name ({NAME: {type, range | values, default,
    /// special, log, ...}}); empty when the storage keeps none (mlos_bench's files). Throws
    /// ConfigError for an unknown experiment.
    [[nodiscard]] Json tunables(const std::string& exp_id) const;

    /// The telemetry of `exp_id` (trial_telemetry), ordered by trial, time and metric. Throws
    /// ConfigError for an unknown experiment.
    [[nodiscard]] std::vector<TelemetryRow> telemetry(const std::string& exp_id) const;

    /// Telemetry and results of `exp_id` selected by `query` (see MetricsQuery), sorted by
    /// trial, metric, source, time. Throws ConfigError for an unknown experiment or trial.
    [[nodiscard]] std::vector<MetricSample> metrics(const std::string& exp_id,
                                                    const MetricsQuery& query) const;

    /// Throws ConfigError("unknown experiment 'ID'") when `exp_id` is not stored.
    void require_experiment(const std::string& exp_id) const;

    /// Throws ConfigError("unknown metric 'M' in experiment 'E' (its metrics: ...)") for the
    /// first of `names` that is neither an objective of `exp_id` nor a metric it recorded (a
    /// typo, not an empty table).
    void require_metrics(const std::string& exp_id, const std::vector<std::string>& names) const;

private:
    std::unique_ptr<StorageReader> m_storage;
};

/// reader.metrics(exp_id, query), and when a metric `query` names was not found, the error
/// of require_metrics() (a metric the experiment never recorded).
[[nodiscard]] std::vector<MetricSample>
select_metrics(const ResultsReader& reader, const std::string& exp_id, const MetricsQuery& query);

/// The rows of results_df() as CSV (header, then one line per trial; RFC 4180 quoting). A text
/// cell starting with =, +, -, @, a tab or CR gets a leading ' so spreadsheets do not run it.
[[nodiscard]] std::string results_df_csv(const Json& rows);

/// Telemetry as CSV: header "trial_id,ts,metric,value", one line per sample, values as stored
/// (text that would start a formula prefixed with ', as in results_df_csv).
[[nodiscard]] std::string telemetry_csv(const std::vector<TelemetryRow>& rows);

/// Telemetry as a JSON array text of {trial_id, ts, metric, value} (numeric strings as numbers),
/// one object per line.
[[nodiscard]] std::string telemetry_json(const std::vector<TelemetryRow>& rows);

} // namespace mlosbench
