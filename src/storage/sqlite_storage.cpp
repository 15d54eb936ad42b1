#include "mlosbench/storage/sqlite_storage.hpp"

#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/util/error.hpp"
#include "storage/detail/shared_connection.hpp"
#include "storage/detail/sql_storage.hpp"
#include "storage/detail/sqlite_connection.hpp"
#include "storage/detail/storage_schema.hpp"

#include <SQLiteCpp/Exception.h>
#include <algorithm>
#include <chrono>
#include <thread>

namespace mlosbench {
namespace {

// How long opening waits for another process that is creating the same new file.
constexpr auto k_open_busy_limit = std::chrono::seconds(30);
constexpr auto k_max_pause = std::chrono::milliseconds(100);

std::shared_ptr<detail::SharedConnection> connect(const std::string& path)
{
    // Switching a new file to WAL and creating its schema take the file's exclusive lock,
    // which SQLite may refuse at once (SQLITE_BUSY, without waiting for the busy timeout)
    // while another process opens the same new file: wait and try again, for as long as the
    // busy timeout would.
    const auto deadline = std::chrono::steady_clock::now() + k_open_busy_limit;
    for (auto pause = std::chrono::milliseconds(1);; pause = std::min(2 * pause, k_max_pause)) {
        try {
            auto sqlite = std::make_unique<detail::SqliteConnection>(path);
            const int previous = detail::migrate_schema(*sqlite, [&] {
                try {
                    require_writable_sqlite_file(identify_sqlite_file(sqlite->database()), path);
                } catch (const SQLite::Exception& e) {
                    throw detail::SqlError(detail::SqlFailure::other, e.what());
                }
            });
            auto shared = std::make_shared<detail::SharedConnection>(std::move(sqlite));
            shared->previous_version = previous;
            return shared;
        } catch (const detail::SqlError& e) {
            if (!detail::is_busy(e) || std::chrono::steady_clock::now() + pause > deadline) {
                throw Error("cannot open storage " + path + ": " + e.what());
            }
        }
        std::this_thread::sleep_for(pause);
    }
}

} // namespace

SqliteStorage::SqliteStorage(const std::string& path)
    : m_storage(detail::make_sql_storage(connect(path)))
{
}

SqliteStorage::~SqliteStorage() = default;

std::string SqliteStorage::location() const { return m_storage->location(); }

std::unique_ptr<ExperimentStorage> SqliteStorage::open_experiment(const ExperimentSpec& spec,
                                                                  const TunableGroups& tunables)
{
    return m_storage->open_experiment(spec, tunables);
}

std::unique_ptr<ExperimentStorage>
SqliteStorage::attach_experiment(const std::string& experiment_id)
{
    return m_storage->attach_experiment(experiment_id);
}

DeletedRows SqliteStorage::delete_experiment(const std::string& experiment_id, bool dry_run)
{
    return m_storage->delete_experiment(experiment_id, dry_run);
}

std::unique_ptr<Storage> open_sqlite_storage(const std::string& path)
{
    return std::make_unique<SqliteStorage>(path);
}

int create_update_sqlite_schema(const std::string& path) { return connect(path)->previous_version; }

} // namespace mlosbench
