#pragma once

#include "mlosbench/storage/postgres_target.hpp"
#include "sql_connection.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

struct pg_conn;

namespace mlosbench::detail {

/// SqlConnection on a PostgreSQL database (libpq). Statements are prepared once per
/// connection; `?` placeholders become `$n`. Sessions run in UTC, so timestamps read back in
/// our canonical text; a write transaction takes a transaction-level advisory lock on its key
/// (the experiment id), so the writers of one experiment go one at a time like SQLite's, and
/// those of different experiments do not wait for each other. The clock is the server's.
///
/// A lost connection (the server stopped, a cut network) throws SqlError(connection_lost)
/// with the transaction rolled back; reconnect() connects again with back-off for at most
/// options.reconnect_limit. A COMMIT whose answer was lost is settled on the new connection
/// (txid_status): committed, it counts as done and is not run again.
class PgConnection final : public SqlConnection
{
public:
    /// Connects (read-only sessions when `read_only`). Throws Error naming the database
    /// (without password) when it cannot.
    PgConnection(PostgresTarget target, PostgresOptions options, bool read_only);
    ~PgConnection() override;
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    [[nodiscard]] SqlDialect dialect() const override { return SqlDialect::postgresql; }
    [[nodiscard]] const std::string& location() const override { return m_location; }
    SqlStatement& statement(const char* sql) override;
    std::unique_ptr<SqlStatement> prepare(const std::string& sql) override;
    void exec(const std::string& sql) override;
    void begin(SqlLock lock, std::string_view key) override;
    void commit() override;
    void rollback() noexcept override;
    Timestamp clock() override;
    [[nodiscard]] std::int64_t last_insert_id() override;
    [[nodiscard]] bool has_table(const std::string& name) override;
    [[nodiscard]] std::vector<std::string> columns(const std::string& name) override;
    [[nodiscard]] std::vector<std::string> tables_with_column(const std::string& column) override;
    [[nodiscard]] int schema_version() override;
    void set_schema_version(int version) override;
    void reconnect(const SqlError& lost) override;

    /// Under the owner's lock: the libpq connection, for the statements.
    [[nodiscard]] pg_conn* handle() const { return m_conn; }
    /// Bumped by every new connection: prepared statements of an older one are gone.
    [[nodiscard]] std::uint64_t generation() const { return m_generation; }
    /// Throws the SqlError of a failure: connection_lost when `gone` (the server went away).
    [[noreturn]] void fail(const std::string& what, const std::string& message, bool gone);

private:
    /// One attempt; the libpq error message when it fails.
    std::optional<std::string> connect_once();
    /// Connects again with back-off until m_options.reconnect_limit has passed since
    /// `since`; throws Error after that.
    void connect_until(std::chrono::steady_clock::time_point since, const std::string& why);
    /// A simple query (no parameters); SqlError when it fails.
    void run(const std::string& sql);

    PostgresTarget m_target;
    PostgresOptions m_options;
    bool m_read_only = false;
    std::string m_location;
    pg_conn* m_conn = nullptr;
    std::uint64_t m_generation = 0;
    /// The transaction id of the open write transaction (its COMMIT may need settling).
    std::optional<std::string> m_xid;
    std::unordered_map<const char*, std::unique_ptr<SqlStatement>> m_statements;
};

/// `sql` with `?` placeholders numbered `$1`, `$2`, ... and `?N` written `$N`; quoted text
/// ('...', "...") left as it is.
[[nodiscard]] std::string numbered_placeholders(const std::string& sql);

/// A PostgreSQL `timestamp [with time zone]` text in UTC ("2024-05-06 07:08:09.5+00") in our
/// canonical form ("2024-05-06 07:08:09.500000"); other text as it is.
[[nodiscard]] std::string canonical_timestamp(std::string text);

} // namespace mlosbench::detail
