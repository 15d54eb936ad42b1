#pragma once

#include "sql_connection.hpp"

#include <memory>
#include <string>
#include <unordered_map>

namespace SQLite {
class Database;
class Statement;
} // namespace SQLite

namespace mlosbench::detail {

/// SqlConnection on a SQLite file (SQLiteCpp). Write transactions are BEGIN IMMEDIATE: the
/// file's write lock at once, so no upgrade deadlock, and one writer of the file at a time
/// across processes. The schema version is `PRAGMA user_version`; the clock this machine's.
class SqliteConnection final : public SqlConnection
{
public:
    /// Opens `path` read-write (created if missing; "" or ":memory:" for a private in-memory
    /// database), refusing before anything is written a SQLite file that is not a storage
    /// file (ConfigError), and sets WAL, synchronous=NORMAL and a busy timeout. Throws
    /// SqlError when SQLite fails.
    explicit SqliteConnection(const std::string& path);
    /// Wraps a database opened elsewhere (a reader's, see open_sqlite_for_reading).
    SqliteConnection(std::unique_ptr<SQLite::Database> db, std::string path);
    ~SqliteConnection() override;
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    [[nodiscard]] SqlDialect dialect() const override { return SqlDialect::sqlite; }
    [[nodiscard]] const std::string& location() const override { return m_path; }
    SqlStatement& statement(const char* sql) override;
    std::unique_ptr<SqlStatement> prepare(const std::string& sql) override;
    void exec(const std::string& sql) override;
    void begin(SqlLock lock, std::string_view key) override;
    void commit() override;
    void rollback() noexcept override;
    Timestamp clock() override { return now(); }
    [[nodiscard]] std::int64_t last_insert_id() override;
    [[nodiscard]] bool has_table(const std::string& name) override;
    [[nodiscard]] std::vector<std::string> columns(const std::string& name) override;
    [[nodiscard]] std::vector<std::string> tables_with_column(const std::string& column) override;
    [[nodiscard]] int schema_version() override;
    void set_schema_version(int version) override;

    /// The SQLiteCpp database, for what only SQLite has (identifying a file).
    [[nodiscard]] SQLite::Database& database() { return *m_db; }

private:
    std::string m_path;
    std::unique_ptr<SQLite::Database> m_db;
    // Declared after m_db: destroyed (finalized) before the database closes.
    std::unordered_map<const char*, std::unique_ptr<SqlStatement>> m_statements;
};

/// Whether `error` is SQLite's SQLITE_BUSY (a lock held longer than the busy timeout, or one
/// SQLite refuses at once).
[[nodiscard]] inline bool is_busy(const SqlError& error)
{
    return error.failure() == SqlFailure::busy;
}

} // namespace mlosbench::detail
