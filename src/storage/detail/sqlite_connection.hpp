#pragma once

#include "mlosbench/util/error.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mlosbench::detail {

/// A write transaction that takes the file's write lock at once (no upgrade deadlock).
inline constexpr auto k_immediate = SQLite::TransactionBehavior::IMMEDIATE;

/// `name` in single quotes, for messages.
[[nodiscard]] inline std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

/// One use of a cached statement: binds in order, steps or executes, and resets the statement
/// when it goes out of scope. The reset matters: a stepped SELECT left un-reset keeps its read
/// transaction open, which pins an old snapshot and blocks WAL checkpoints.
class Query
{
public:
    explicit Query(SQLite::Statement& statement) : m_statement(statement) {}
    ~Query() { m_statement.tryReset(); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    Query(Query&&) = delete;
    Query& operator=(Query&&) = delete;

    /// Binds `values` to parameters 1, 2, ...; a nullopt optional binds NULL.
    template <class... Values> Query& bind(const Values&... values)
    {
        int index = 0;
        (bind_one(++index, values), ...);
        return *this;
    }
    /// The next row; false when there is none.
    bool step() { return m_statement.executeStep(); }
    /// Runs a statement that returns no rows; the number of rows it changed.
    int exec() { return m_statement.exec(); }
    [[nodiscard]] SQLite::Column column(int index) const { return m_statement.getColumn(index); }

private:
    void bind_one(int index, const std::string& value) { m_statement.bind(index, value); }
    void bind_one(int index, const char* value) { m_statement.bind(index, value); }
    void bind_one(int index, std::int64_t value) { m_statement.bind(index, value); }
    void bind_one(int index, int value) { m_statement.bind(index, value); }
    void bind_one(int index, const std::optional<std::string>& value)
    {
        if (value) {
            m_statement.bind(index, *value);
        } else {
            m_statement.bind(index);
        }
    }

    SQLite::Statement& m_statement;
};

/// A config's stored (param_id, param_value text) rows, by name; NULL values left out.
using ConfigRows = std::vector<std::pair<std::string, std::string>>;

/// The read-write connection of a SqliteStorage, its statement and config caches, and the
/// mutex that guards them all. Shared by the experiments opened from it.
struct SqliteConnection
{
    /// Opens `file_path` (created if missing; "" or ":memory:" for a private in-memory
    /// database), refusing before anything is written a SQLite file that is not a storage
    /// file (ConfigError), and creates or upgrades the schema. SQLite errors escape as
    /// SQLite::Exception.
    explicit SqliteConnection(const std::string& file_path);

    /// A cached prepared statement of `sql` (a string literal: cached by its address); wrap
    /// it in a Query, which resets it when done. Under the lock.
    SQLite::Statement& statement(const char* sql);

    /// The stored rows of a config, or nullptr when there is no such config. Under the lock.
    const ConfigRows* config_rows(std::int64_t config_id);

    /// Runs `body` under the lock, turning SQLite's exceptions into Error("PATH: WHAT: ...").
    template <class Body> auto locked(const std::string& what, Body&& body)
    {
        const std::lock_guard lock(mutex);
        try {
            return body();
        } catch (const SQLite::Exception& e) {
            throw Error(path + ": " + what + ": " + e.what());
        }
    }

    std::string path;
    int previous_version = 0; ///< the schema version the file had when opened
    std::mutex mutex;
    SQLite::Database db;
    // Declared after db: destroyed (finalized) before the connection closes.
    std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> statements;
    /// Configs never change once written, so their rows are kept (ids are global to the file).
    std::unordered_map<std::int64_t, ConfigRows> configs;
};

} // namespace mlosbench::detail
