#pragma once

#include "mlosbench/storage/storage_reader.hpp"

#include <memory>
#include <string>

namespace mlosbench {

/// A SQLite storage file (ours or mlos_bench's) read without writing to it
/// (open_sqlite_for_reading: fine on a read-only mount, leaves no -wal/-shm behind). SQLite
/// errors while reading throw Error naming the file.
class SqliteReader final : public StorageReader
{
public:
    /// Opens `path` for reading. Throws ConfigError naming it when it does not exist, cannot
    /// be read, or is not an mlosbench or mlos_bench storage file (identified before any
    /// connection that could write opens it).
    explicit SqliteReader(const std::string& path);
    ~SqliteReader() override;
    SqliteReader(const SqliteReader&) = delete;
    SqliteReader& operator=(const SqliteReader&) = delete;

    [[nodiscard]] bool has_experiment(const std::string& exp_id) const override;
    [[nodiscard]] bool has_trial(const std::string& exp_id, std::int64_t trial_id) const override;
    [[nodiscard]] std::vector<ExperimentSummary> experiments() const override;
    [[nodiscard]] std::vector<TrialRow> trials(const std::string& exp_id) const override;
    [[nodiscard]] std::optional<TrialDetail> trial(const std::string& exp_id,
                                                   std::int64_t trial_id) const override;
    [[nodiscard]] std::optional<Json> tunable_definitions(const std::string& exp_id) const override;
    [[nodiscard]] std::vector<WorkerRecord> workers(const std::string& exp_id) const override;
    [[nodiscard]] ResultsFrame results_frame(const std::string& exp_id) const override;
    [[nodiscard]] std::vector<TelemetryRow> telemetry(const std::string& exp_id) const override;
    [[nodiscard]] std::vector<MetricSample>
    metric_samples(const std::string& exp_id, const MetricSampleFilter& filter) const override;

private:
    // The one reader implementation over any backend (detail/sql_reader), on this file.
    std::unique_ptr<StorageReader> m_reader;
};

} // namespace mlosbench
