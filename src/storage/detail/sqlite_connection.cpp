#include "sqlite_connection.hpp"

#include "mlosbench/storage/sqlite_file.hpp"
#include "sqlite_schema.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sqlite3.h>
#include <thread>

namespace mlosbench::detail {
namespace {

constexpr auto k_open_busy_limit = std::chrono::seconds(30);
constexpr auto k_max_pause = std::chrono::milliseconds(100);

// `file_path`, once it is known to be a file we may write: nothing (not even the journal
// mode) changes in a SQLite file that is not ours.
const std::string& identified(const std::string& file_path)
{
    std::error_code ec;
    if (file_path.empty() || file_path == ":memory:" || !std::filesystem::exists(file_path, ec) ||
        std::filesystem::file_size(file_path, ec) == 0) {
        return file_path;
    }
    require_writable_schema(identify_sqlite_file(file_path), file_path);
    return file_path;
}

} // namespace

SqliteConnection::SqliteConnection(const std::string& file_path)
    : path(file_path),
      db(identified(file_path), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX)
{
    // Switching a new file to WAL and creating its schema take the file's exclusive lock,
    // which SQLite may refuse at once (SQLITE_BUSY, without waiting for the busy timeout)
    // while another process opens the same new file: wait and try again, for as long as the
    // busy timeout would.
    const auto deadline = std::chrono::steady_clock::now() + k_open_busy_limit;
    for (auto pause = std::chrono::milliseconds(1);; pause = std::min(2 * pause, k_max_pause)) {
        try {
            configure_connection(db, path.empty() || path == ":memory:");
            previous_version = migrate_schema(db, path);
            return;
        } catch (const SQLite::Exception& e) {
            if ((e.getErrorCode() & 0xff) != SQLITE_BUSY ||
                std::chrono::steady_clock::now() + pause > deadline) {
                throw;
            }
        }
        std::this_thread::sleep_for(pause);
    }
}

SQLite::Statement& SqliteConnection::statement(const char* sql)
{
    auto& slot = statements[sql];
    if (!slot) {
        slot = std::make_unique<SQLite::Statement>(db, sql);
    }
    slot->tryReset();
    return *slot;
}

const ConfigRows* SqliteConnection::config_rows(std::int64_t config_id)
{
    if (const auto it = configs.find(config_id); it != configs.end()) {
        return &it->second;
    }
    {
        Query exists(statement("SELECT 1 FROM config WHERE config_id = ?"));
        if (!exists.bind(config_id).step()) {
            return nullptr;
        }
    }
    ConfigRows rows;
    Query query(statement("SELECT param_id, param_value FROM config_param "
                          "WHERE config_id = ? ORDER BY param_id"));
    query.bind(config_id);
    while (query.step()) {
        if (!query.column(1).isNull()) {
            rows.emplace_back(query.column(0).getString(), query.column(1).getString());
        }
    }
    return &(configs[config_id] = std::move(rows));
}

} // namespace mlosbench::detail
