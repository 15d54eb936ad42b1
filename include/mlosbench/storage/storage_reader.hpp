#pragma once

#include "mlosbench/storage/experiment_summary.hpp"
#include "mlosbench/storage/metric_sample.hpp"
#include "mlosbench/storage/results_frame.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/telemetry_row.hpp"
#include "mlosbench/storage/trial_detail.hpp"
#include "mlosbench/storage/trial_row.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// Read-only access to what a storage keeps, as typed rows: what the results commands
/// (show, export, metrics, plot, report) read. A backend implements this once and every
/// results command works on it. Unknown experiments are the caller's to report: the methods
/// taking an experiment id return nothing for one (check has_experiment first). Errors of the
/// database escape as the backend's exceptions.
class StorageReader
{
public:
    virtual ~StorageReader() = default;

    [[nodiscard]] virtual bool has_experiment(const std::string& exp_id) const = 0;
    [[nodiscard]] virtual bool has_trial(const std::string& exp_id,
                                         std::int64_t trial_id) const = 0;

    /// Every experiment, by id.
    [[nodiscard]] virtual std::vector<ExperimentSummary> experiments() const = 0;
    /// The trials of `exp_id`, by id, with their results.
    [[nodiscard]] virtual std::vector<TrialRow> trials(const std::string& exp_id) const = 0;
    /// One trial in full; nullopt when `exp_id` has no such trial.
    [[nodiscard]] virtual std::optional<TrialDetail> trial(const std::string& exp_id,
                                                           std::int64_t trial_id) const = 0;
    /// The tunable definitions `exp_id` was recorded with, as a tunable-params document
    /// ({GROUP: {cost, params: {NAME: {type, range | values, default, special, log, ...}}}});
    /// nullopt when the storage keeps none (an experiment mlos_bench made, an older file).
    [[nodiscard]] virtual std::optional<Json>
    tunable_definitions(const std::string& exp_id) const = 0;
    /// The workers that have worked on `exp_id`, by worker id.
    [[nodiscard]] virtual std::vector<WorkerRecord> workers(const std::string& exp_id) const = 0;
    /// mlos_bench's results_df of `exp_id`.
    [[nodiscard]] virtual ResultsFrame results_frame(const std::string& exp_id) const = 0;
    /// The telemetry of `exp_id`, by trial, time and metric.
    [[nodiscard]] virtual std::vector<TelemetryRow> telemetry(const std::string& exp_id) const = 0;
    /// The telemetry samples of `exp_id` (with their metadata), then its results (timed at
    /// their trial's end, or start while unfinished) when `filter` includes them, narrowed by
    /// `filter`'s trial and metrics; in no particular order.
    [[nodiscard]] virtual std::vector<MetricSample>
    metric_samples(const std::string& exp_id, const MetricSampleFilter& filter) const = 0;
};

} // namespace mlosbench
