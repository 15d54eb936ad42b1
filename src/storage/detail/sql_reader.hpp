#pragma once

#include "mlosbench/storage/storage_reader.hpp"
#include "shared_connection.hpp"

#include <map>
#include <memory>
#include <string>

namespace mlosbench::detail {

/// The StorageReader of a database of ours or mlos_bench's, on any backend: the same queries
/// on SQLite and PostgreSQL. Tables of ours that an older or mlos_bench's database lacks
/// read as empty. Errors of the database throw Error naming it.
class SqlReader final : public StorageReader
{
public:
    explicit SqlReader(std::shared_ptr<SharedConnection> connection);

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
    // Under the lock.
    [[nodiscard]] SqlConnection& sql() const { return m_connection->sql(); }
    [[nodiscard]] bool has_table(const char* name) const;
    [[nodiscard]] SqlStatement& objectives_query() const;

    std::shared_ptr<SharedConnection> m_connection;
    /// Which of our tables the database has (it is not migrated while read).
    mutable std::map<std::string, bool> m_tables;
};

} // namespace mlosbench::detail
