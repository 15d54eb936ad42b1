#include "mlosbench/storage/sqlite_reader.hpp"

#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/util/error.hpp"
#include "storage/detail/sql_reader.hpp"
#include "storage/detail/sqlite_connection.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <filesystem>

namespace mlosbench {
namespace {

std::unique_ptr<StorageReader> open_reader(const std::string& path)
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
    return std::make_unique<detail::SqlReader>(std::make_shared<detail::SharedConnection>(
        std::make_unique<detail::SqliteConnection>(open_sqlite_for_reading(path), path)));
}

} // namespace

SqliteReader::SqliteReader(const std::string& path) : m_reader(open_reader(path)) {}

SqliteReader::~SqliteReader() = default;

bool SqliteReader::has_experiment(const std::string& exp_id) const
{
    return m_reader->has_experiment(exp_id);
}

bool SqliteReader::has_trial(const std::string& exp_id, std::int64_t trial_id) const
{
    return m_reader->has_trial(exp_id, trial_id);
}

std::vector<ExperimentSummary> SqliteReader::experiments() const { return m_reader->experiments(); }

std::vector<TrialRow> SqliteReader::trials(const std::string& exp_id) const
{
    return m_reader->trials(exp_id);
}

std::optional<TrialDetail> SqliteReader::trial(const std::string& exp_id,
                                               std::int64_t trial_id) const
{
    return m_reader->trial(exp_id, trial_id);
}

std::optional<Json> SqliteReader::tunable_definitions(const std::string& exp_id) const
{
    return m_reader->tunable_definitions(exp_id);
}

std::vector<WorkerRecord> SqliteReader::workers(const std::string& exp_id) const
{
    return m_reader->workers(exp_id);
}

ResultsFrame SqliteReader::results_frame(const std::string& exp_id) const
{
    return m_reader->results_frame(exp_id);
}

std::vector<TelemetryRow> SqliteReader::telemetry(const std::string& exp_id) const
{
    return m_reader->telemetry(exp_id);
}

std::vector<MetricSample> SqliteReader::metric_samples(const std::string& exp_id,
                                                       const MetricSampleFilter& filter) const
{
    return m_reader->metric_samples(exp_id, filter);
}

} // namespace mlosbench
