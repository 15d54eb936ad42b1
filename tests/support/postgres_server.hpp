#pragma once

#include "support/test_support.hpp"

#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace mlosbench::testing {

/// A private PostgreSQL 15 server for tests: `initdb` in a temp dir, then `postgres` listening
/// on 127.0.0.1 at a free port and on a unix socket in that dir, run as the unprivileged user
/// `mlosbench-test` (created when missing) when the tests run as root, since postgres refuses
/// root. The superuser role is user() with password password(): TCP connections must give
/// it (scram-sha-256), the socket trusts. Ready when the constructor returns (it polls
/// PQping, bounded); stopped (fast shutdown) on destruction. Throws std::runtime_error when
/// PostgreSQL is not installed or does not start: the tests fail, never skip (CI installs it
/// through scripts/setup.sh).
class PostgresServer
{
public:
    /// How clients may connect over TCP.
    enum class Transport {
        any,      ///< with or without TLS (libpq's default sslmode=prefer takes TLS when offered)
        tls_only, ///< TLS only (`hostssl` in pg_hba.conf), with a self-signed certificate for
                  ///< 127.0.0.1 made by openssl (certificate())
    };

    explicit PostgresServer(Transport transport = Transport::any);
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    /// The server this test binary shares, started on first use and stopped when the binary
    /// ends (a GoogleTest Environment).
    static PostgresServer& shared();

    [[nodiscard]] static std::string host() { return "127.0.0.1"; }
    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] static std::string user() { return "mlosbench"; }
    [[nodiscard]] static std::string password() { return "pg-test-secret-7d1f"; }
    [[nodiscard]] std::filesystem::path socket_dir() const { return m_dir.path() / "socket"; }
    /// Transport::tls_only: the server's self-signed certificate, which is also its CA (for
    /// sslrootcert).
    [[nodiscard]] std::filesystem::path certificate() const
    {
        return m_dir.path() / "data" / "server.crt";
    }

    /// A new empty database; its name.
    [[nodiscard]] std::string create_database();
    /// postgresql://mlosbench@127.0.0.1:PORT/DB, without the password.
    [[nodiscard]] std::string url(const std::string& database) const;
    /// The same with the password in it.
    [[nodiscard]] std::string url_with_password(const std::string& database) const;

    /// The rows of `sql` in `database` (as the superuser, over the socket), each row's columns
    /// joined by `separator`, NULL as "<null>", timestamps as "YYYY-MM-DD HH:MM:SS.ffffff":
    /// as sql_rows() gives them from a SQLite file.
    [[nodiscard]] std::vector<std::string>
    rows(const std::string& database, const std::string& sql, char separator = '|') const;
    /// Runs `sql` (no rows) in `database`; a failure is a std::runtime_error.
    void exec(const std::string& database, const std::string& sql) const;

    /// Stops the server (fast shutdown: sessions end, open transactions roll back) and waits
    /// for it to exit.
    void stop();
    /// Starts it again on the same port and data; returns once it accepts connections.
    void start();
    [[nodiscard]] bool running() const { return m_pid > 0; }
    /// What the server wrote on stderr so far.
    [[nodiscard]] std::string log() const;

private:
    /// Transport::tls_only: the certificate, and pg_hba.conf's TCP lines made `hostssl`.
    void make_tls_only();

    TempDir m_dir;
    Transport m_transport;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
    int m_port = 0;
    pid_t m_pid = -1;
    int m_databases = 0;
};

} // namespace mlosbench::testing
