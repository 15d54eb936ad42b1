#include "support/postgres_server.hpp"

#include "mlosbench/util/process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <libpq-fe.h>
#include <memory>
#include <mutex>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace mlosbench::testing {
namespace {

constexpr const char* k_bin = "/usr/lib/postgresql/15/bin";
constexpr const char* k_os_user = "mlosbench-test";
constexpr auto k_ready_within = std::chrono::seconds(30);

// pg_type oids whose text the rows are normalised from.
constexpr Oid k_bool_oid = 16;
constexpr Oid k_timestamp_oid = 1114;
constexpr Oid k_timestamptz_oid = 1184;

// The unprivileged user postgres runs as: made once (a system user without a home) when
// missing. Another test binary may be making it at the same moment: then it exists after.
passwd lookup_user()
{
    if (const passwd* entry = ::getpwnam(k_os_user)) {
        return *entry;
    }
    ProcessOptions options;
    options.argv = {"useradd",          "--system",          "--user-group",
                    "--no-create-home", "--home-dir",        "/nonexistent",
                    "--shell",          "/usr/sbin/nologin", k_os_user};
    options.env = current_environment();
    options.timeout_seconds = 60;
    const ProcessResult result = run_process(options);
    if (const passwd* entry = ::getpwnam(k_os_user)) {
        return *entry;
    }
    throw std::runtime_error(std::string("cannot create the user ") + k_os_user +
                             " that the test PostgreSQL runs as: " + result.err);
}

void write(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

// Starts `argv` as uid/gid (when root), stdin from /dev/null, stdout and stderr appended to
// `log`, in `cwd`; the child gets SIGINT (a fast shutdown for postgres) if this process dies.
pid_t spawn(const std::vector<std::string>& argv,
            uid_t uid,
            gid_t gid,
            const fs::path& log,
            const fs::path& cwd)
{
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid > 0) {
        return pid;
    }
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
        ::_exit(126);
    }
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) {
        ::_exit(126);
    }
    ::prctl(PR_SET_PDEATHSIG, SIGINT);
    if (::chdir(cwd.c_str()) != 0) {
        ::_exit(126);
    }
    std::vector<char*> pointers;
    std::vector<std::string> copies = argv;
    for (auto& arg : copies) {
        pointers.push_back(arg.data());
    }
    pointers.push_back(nullptr);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
}

std::string canonical_timestamp(const std::string& text)
{
    // "2024-05-06 07:08:09[.5]+00" -> "2024-05-06 07:08:09.500000"
    if (text.size() < 19 || text[10] != ' ') {
        return text;
    }
    std::string fraction;
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        while (++at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) {
            fraction += text[at];
        }
    }
    fraction.resize(6, '0');
    return text.substr(0, 19) + "." + fraction;
}

struct ConnectionDeleter
{
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter
{
    void operator()(PGresult* result) const { PQclear(result); }
};

std::mutex g_shared_mutex;
std::unique_ptr<PostgresServer> g_shared;

// Stops the shared server when the test binary ends.
class SharedServerEnvironment final : public ::testing::Environment
{
public:
    void TearDown() override
    {
        const std::lock_guard lock(g_shared_mutex);
        g_shared.reset();
    }
};

[[maybe_unused]] ::testing::Environment* const g_environment =
    ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

} // namespace

PostgresServer& PostgresServer::shared()
{
    const std::lock_guard lock(g_shared_mutex);
    if (!g_shared) {
        g_shared = std::make_unique<PostgresServer>();
    }
    return *g_shared;
}

PostgresServer::PostgresServer(Transport transport) : m_transport(transport)
{
    const std::string initdb = std::string(k_bin) + "/initdb";
    if (::access(initdb.c_str(), X_OK) != 0) {
        throw std::runtime_error(initdb +
                                 " not found: install postgresql-15 (scripts/setup.sh does)");
    }
    m_uid = ::geteuid();
    m_gid = ::getegid();
    if (m_uid == 0) {
        const passwd user = lookup_user();
        m_uid = user.pw_uid;
        m_gid = user.pw_gid;
    }
    fs::create_directories(socket_dir());
    write(m_dir.path() / "pwfile", password() + "\n");
    for (const auto& path : {m_dir.path(), socket_dir(), m_dir.path() / "pwfile"}) {
        if (::chown(path.c_str(), m_uid, m_gid) != 0) {
            throw std::runtime_error("cannot chown " + path.string() + ": " + std::strerror(errno));
        }
    }
    const pid_t pid = spawn({initdb, "--pgdata", (m_dir.path() / "data").string(), "--username",
                             user(), "--pwfile", (m_dir.path() / "pwfile").string(),
                             "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8",
                             "--locale=C", "--no-sync", "--no-instructions"},
                            m_uid, m_gid, m_dir.path() / "initdb.log", m_dir.path());
    int status = 0;
    ::waitpid(pid, &status, 0);
    fs::remove(m_dir.path() / "pwfile");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("initdb failed: " + read_file(m_dir.path() / "initdb.log"));
    }
    if (m_transport == Transport::tls_only) {
        make_tls_only();
    }
    for (int attempt = 0; attempt < 5 && m_pid < 0; ++attempt) {
        m_port = free_tcp_port();
        try {
            start();
        } catch (const std::runtime_error&) {
            if (attempt == 4) {
                throw;
            }
        }
    }
}

PostgresServer::~PostgresServer() { stop(); }

void PostgresServer::make_tls_only()
{
    const fs::path data = m_dir.path() / "data";
    // As the server's user, so that the key is its own with mode 0600, as postgres demands.
    const pid_t pid = spawn({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                             "subjectAltName=IP:127.0.0.1", "-keyout", "server.key", "-out",
                             "server.crt"},
                            m_uid, m_gid, m_dir.path() / "openssl.log", data);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("openssl could not make the server's certificate: " +
                                 read_file(m_dir.path() / "openssl.log"));
    }
    // TCP clients must use TLS; the unix socket (rows(), exec()) still trusts.
    std::string hba = read_file(data / "pg_hba.conf");
    std::string out;
    std::istringstream lines(hba);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("host ", 0) == 0) {
            line = "hostssl " + line.substr(5);
        }
        out += line + "\n";
    }
    write(data / "pg_hba.conf", out);
    std::ofstream conf(data / "postgresql.conf", std::ios::app);
    conf << "ssl = on\n";
}

void PostgresServer::start()
{
    if (m_pid > 0) {
        return;
    }
    m_pid = spawn({std::string(k_bin) + "/postgres", "-D", (m_dir.path() / "data").string(), "-k",
                   socket_dir().string(), "-h", host(), "-p", std::to_string(m_port), "-c",
                   "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                   "max_connections=200", "-c", "log_min_messages=warning"},
                  m_uid, m_gid, m_dir.path() / "postgres.log", m_dir.path());
    const std::string ping =
        "host=" + host() + " port=" + std::to_string(m_port) + " dbname=postgres connect_timeout=2";
    const auto deadline = std::chrono::steady_clock::now() + k_ready_within;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("postgres exited at start: " + log());
        }
        if (PQping(ping.c_str()) == PQPING_OK) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("postgres did not accept connections within 30 s: " + log());
}

void PostgresServer::stop()
{
    if (m_pid <= 0) {
        return;
    }
    ::kill(m_pid, SIGINT);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

std::string PostgresServer::log() const { return read_file(m_dir.path() / "postgres.log"); }

std::string PostgresServer::create_database()
{
    const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++m_databases);
    exec("postgres", "CREATE DATABASE " + name);
    return name;
}

std::string PostgresServer::url(const std::string& database) const
{
    return "postgresql://" + user() + "@" + host() + ":" + std::to_string(m_port) + "/" + database;
}

std::string PostgresServer::url_with_password(const std::string& database) const
{
    return "postgresql://" + user() + ":" + password() + "@" + host() + ":" +
           std::to_string(m_port) + "/" + database;
}

std::vector<std::string>
PostgresServer::rows(const std::string& database, const std::string& sql, char separator) const
{
    const std::string conninfo = "host=" + socket_dir().string() +
                                 " port=" + std::to_string(m_port) + " user=" + user() +
                                 " dbname=" + database + " options='-c TimeZone=UTC'";
    const std::unique_ptr<PGconn, ConnectionDeleter> conn(PQconnectdb(conninfo.c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error("cannot connect to the test database: " +
                                 std::string(PQerrorMessage(conn.get())));
    }
    const std::unique_ptr<PGresult, ResultDeleter> result(PQexec(conn.get(), sql.c_str()));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        throw std::runtime_error(sql + ": " + PQresultErrorMessage(result.get()));
    }
    std::vector<std::string> out;
    for (int r = 0; r < PQntuples(result.get()); ++r) {
        std::string row;
        for (int c = 0; c < PQnfields(result.get()); ++c) {
            if (c > 0) {
                row += separator;
            }
            if (PQgetisnull(result.get(), r, c) != 0) {
                row += "<null>";
                continue;
            }
            const std::string value = PQgetvalue(result.get(), r, c);
            const Oid type = PQftype(result.get(), c);
            if (type == k_bool_oid) {
                row += value == "t" ? "1" : "0"; // as SQLite gives a comparison
            } else if (type == k_timestamp_oid || type == k_timestamptz_oid) {
                row += canonical_timestamp(value);
            } else {
                row += value;
            }
        }
        out.push_back(row);
    }
    return out;
}

void PostgresServer::exec(const std::string& database, const std::string& sql) const
{
    (void)rows(database, sql);
}

} // namespace mlosbench::testing
