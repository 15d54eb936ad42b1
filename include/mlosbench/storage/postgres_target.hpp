#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// Where a PostgreSQL database is: the libpq connection keywords (host, port, user, dbname,
/// sslmode, sslrootcert, ...). A password is among them only when the URL or the storage
/// config gave one; otherwise libpq finds it (PGPASSWORD, ~/.pgpass, or none for trust and
/// certificate authentication). Nothing here shows the password: display() leaves it out.
struct PostgresTarget
{
    std::vector<std::pair<std::string, std::string>> options; ///< keyword -> value, in order

    /// `postgresql://USER@HOST:PORT/DB[?key=value&...]` without the password: what logs,
    /// `validate`, `show`, the run summary and a trial's MLOSBENCH_STORAGE show, and what
    /// parse_postgres_url reads back.
    [[nodiscard]] std::string display() const;
    /// The value of `keyword`, nullopt when not set.
    [[nodiscard]] std::optional<std::string> option(const std::string& keyword) const;
    /// Sets (or with nullopt removes) `keyword`.
    void set(const std::string& keyword, const std::optional<std::string>& value);
};

/// Whether `text` is a PostgreSQL URL (`postgresql://` or `postgres://`).
[[nodiscard]] bool is_postgres_url(const std::string& text);

/// Parses a PostgreSQL URL with libpq's own parser: `postgresql://[USER[:PASSWORD]@][HOST]
/// [:PORT][/DB][?key=value&...]`, any libpq keyword in the query (sslmode, host=/socket/dir).
/// Throws ConfigError naming `where` and the URL without its password when it does not parse.
[[nodiscard]] PostgresTarget parse_postgres_url(const std::string& url, const std::string& where);

/// How a PostgreSQL storage behaves when the database goes away.
struct PostgresOptions
{
    /// A lost connection is retried with back-off (0.1 s doubling to 5 s) for this long, the
    /// failed transaction run again once connected; then the storage throws Error.
    std::chrono::milliseconds reconnect_limit{60'000};
};

} // namespace mlosbench
