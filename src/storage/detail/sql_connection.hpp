#pragma once

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The small interface the storage's SQL runs on, implemented for SQLite (SQLiteCpp) and
// PostgreSQL (libpq): prepared statements cached by their SQL text, parameters bound by
// position, rows stepped, transactions. One implementation of the experiment, reader, schema
// and delete logic runs on either. SQL is written once with `?` placeholders (`?N` to reuse
// one) in the dialect both understand: ON CONFLICT upserts, RETURNING, no rowid.
namespace mlosbench::detail {

enum class SqlDialect {
    sqlite,
    postgresql,
};

/// Why a statement failed, where the callers act on it.
enum class SqlFailure {
    other,
    busy,            ///< SQLite: the file is locked longer than the busy timeout
    connection_lost, ///< the server went away; the transaction rolled back
};

/// A failure of the database, with the driver's message.
class SqlError : public Error
{
public:
    SqlError(SqlFailure failure, const std::string& message) : Error(message), m_failure(failure) {}
    [[nodiscard]] SqlFailure failure() const { return m_failure; }

private:
    SqlFailure m_failure;
};

/// One prepared statement. Parameters are 1-based, columns 0-based. Timestamp columns read
/// back as text in the canonical form "YYYY-MM-DD HH:MM:SS.ffffff" on every backend.
class SqlStatement
{
public:
    virtual ~SqlStatement() = default;
    virtual void bind_null(int index) = 0;
    virtual void bind_int64(int index, std::int64_t value) = 0;
    virtual void bind_text(int index, const std::string& value) = 0;
    /// The next row; false when there is none (the first call runs the statement).
    virtual bool step() = 0;
    /// Runs a statement that returns no rows; the number of rows it changed.
    virtual std::int64_t exec() = 0;
    /// Forgets the result and bound values, ready to run again.
    virtual void reset() noexcept = 0;
    [[nodiscard]] virtual bool is_null(int column) const = 0;
    [[nodiscard]] virtual std::int64_t int64(int column) const = 0;
    [[nodiscard]] virtual double real(int column) const = 0;
    [[nodiscard]] virtual std::string text(int column) const = 0;
    [[nodiscard]] virtual int column_count() const = 0;
};

/// How a transaction locks.
enum class SqlLock {
    read,  ///< a consistent snapshot, no lock
    write, ///< SQLite: the file's write lock (BEGIN IMMEDIATE); PostgreSQL: an advisory lock
           ///< per key (experiment), so writers of one experiment go one at a time
};

/// A connection to one database. Not thread-safe: its owner serializes calls.
class SqlConnection
{
public:
    virtual ~SqlConnection() = default;

    [[nodiscard]] virtual SqlDialect dialect() const = 0;
    /// Where it is, for messages (a path; a URL without password).
    [[nodiscard]] virtual const std::string& location() const = 0;

    /// The cached prepared statement of `sql`, a string literal (cached by its address).
    virtual SqlStatement& statement(const char* sql) = 0;
    /// A statement of `sql` built at run time, not cached.
    virtual std::unique_ptr<SqlStatement> prepare(const std::string& sql) = 0;
    /// Runs `sql` (no parameters, no rows; DDL).
    virtual void exec(const std::string& sql) = 0;

    virtual void begin(SqlLock lock, std::string_view key) = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;

    /// The id the last INSERT in this session gave its row (a rowid, a SERIAL): cheaper than
    /// RETURNING, which SQLite runs through a temporary table.
    [[nodiscard]] virtual std::int64_t last_insert_id() = 0;

    /// Now on the storage's clock (PostgreSQL: the server's), which heartbeats and leases use,
    /// so workers on machines with skewed clocks agree.
    virtual Timestamp clock() = 0;

    /// Whether the database has table `name`.
    [[nodiscard]] virtual bool has_table(const std::string& name) = 0;
    /// The columns of table `name` (none when there is no such table).
    [[nodiscard]] virtual std::vector<std::string> columns(const std::string& name) = 0;
    /// The tables that have a column `column`, by name.
    [[nodiscard]] virtual std::vector<std::string>
    tables_with_column(const std::string& column) = 0;

    /// The schema version of ours the database holds (0: none yet).
    [[nodiscard]] virtual int schema_version() = 0;
    virtual void set_schema_version(int version) = 0;

    /// After a SqlFailure::connection_lost: connects again, waiting with back-off, or throws
    /// Error once the connection has been gone for longer than the backend allows. The
    /// default (a file, never lost) rethrows `lost` as Error.
    virtual void reconnect(const SqlError& lost) { throw Error(lost.what()); }
};

/// A transaction that rolls back unless committed.
class SqlTransaction
{
public:
    SqlTransaction(SqlConnection& connection, SqlLock lock, std::string_view key = {})
        : m_connection(connection)
    {
        m_connection.begin(lock, key);
    }
    ~SqlTransaction()
    {
        if (!m_done) {
            m_connection.rollback();
        }
    }
    SqlTransaction(const SqlTransaction&) = delete;
    SqlTransaction& operator=(const SqlTransaction&) = delete;
    SqlTransaction(SqlTransaction&&) = delete;
    SqlTransaction& operator=(SqlTransaction&&) = delete;

    void commit()
    {
        m_done = true;
        m_connection.commit();
    }

private:
    SqlConnection& m_connection;
    bool m_done = false;
};

/// One column of the current row of a Query.
class SqlColumn
{
public:
    SqlColumn(const SqlStatement& statement, int index) : m_statement(statement), m_index(index) {}
    [[nodiscard]] bool is_null() const { return m_statement.is_null(m_index); }
    [[nodiscard]] std::int64_t int64() const { return m_statement.int64(m_index); }
    [[nodiscard]] int integer() const { return static_cast<int>(m_statement.int64(m_index)); }
    [[nodiscard]] double real() const { return m_statement.real(m_index); }
    [[nodiscard]] std::string text() const { return m_statement.text(m_index); }
    /// The text, nullopt for NULL.
    [[nodiscard]] std::optional<std::string> optional_text() const
    {
        return is_null() ? std::nullopt : std::optional(text());
    }
    [[nodiscard]] std::optional<std::int64_t> optional_int64() const
    {
        return is_null() ? std::nullopt : std::optional(int64());
    }

private:
    const SqlStatement& m_statement;
    int m_index;
};

/// One use of a statement: binds in order, steps or executes, and resets the statement when
/// it goes out of scope (a SQLite SELECT left un-reset keeps its read transaction open,
/// which pins an old snapshot and blocks WAL checkpoints).
class Query
{
public:
    explicit Query(SqlStatement& statement) : m_statement(statement) {}
    ~Query() { m_statement.reset(); }
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
    bool step() { return m_statement.step(); }
    /// Runs a statement that returns no rows; the number of rows it changed.
    std::int64_t exec() { return m_statement.exec(); }
    [[nodiscard]] SqlColumn column(int index) const { return {m_statement, index}; }

private:
    void bind_one(int index, const std::string& value) { m_statement.bind_text(index, value); }
    void bind_one(int index, const char* value)
    {
        m_statement.bind_text(index, std::string(value));
    }
    void bind_one(int index, std::int64_t value) { m_statement.bind_int64(index, value); }
    void bind_one(int index, int value) { m_statement.bind_int64(index, value); }
    void bind_one(int index, const std::optional<std::string>& value)
    {
        if (value) {
            m_statement.bind_text(index, *value);
        } else {
            m_statement.bind_null(index);
        }
    }

    SqlStatement& m_statement;
};

} // namespace mlosbench::detail
