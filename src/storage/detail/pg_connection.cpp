#include "pg_connection.hpp"

#include "libpq.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <spdlog/spdlog.h>
#include <thread>
#include <utility>

namespace mlosbench::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Back-off between attempts to connect again: doubling from the first to the last.
constexpr auto k_first_pause = std::chrono::milliseconds(100);
constexpr auto k_last_pause = std::chrono::milliseconds(5000);

// The first key of our advisory locks ('mlos'); the second is hashtext(experiment id).
constexpr const char* k_lock_space = "1836822387";

// Column types whose text is a timestamp (pg_type.oid of timestamp and timestamptz).
constexpr Oid k_timestamp_oid = 1114;
constexpr Oid k_timestamptz_oid = 1184;

struct ResultDeleter
{
    void operator()(PGresult* result) const { libpq().PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

bool succeeded(const PGresult* result)
{
    const auto status = libpq().PQresultStatus(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// libpq's messages end in a newline and may span lines: one line, for logs and errors.
std::string trimmed(const std::string& text)
{
    std::string out;
    for (const char c : text) {
        if (c == '\n' || c == '\t') {
            if (!out.empty() && out.back() != ' ') {
                out += ' ';
            }
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

// The message of a failed result: the server's primary message, or libpq's.
std::string message_of(PGconn* conn, const PGresult* result)
{
    if (result != nullptr) {
        if (const char* primary = libpq().PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
            return primary;
        }
        if (const char* text = libpq().PQresultErrorMessage(result);
            text != nullptr && *text != '\0') {
            return trimmed(text);
        }
    }
    return trimmed(libpq().PQerrorMessage(conn));
}

// Whether a failure means the connection is gone: libpq says so, or the server ended the
// session (class 08, connection exception; 57P01-03, shutting down or starting up).
bool connection_gone(PGconn* conn, const PGresult* result)
{
    if (conn == nullptr || libpq().PQstatus(conn) == CONNECTION_BAD || result == nullptr) {
        return true;
    }
    const char* state = libpq().PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (state == nullptr) {
        return false;
    }
    const std::string_view code(state);
    return code.starts_with("08") || code == "57P01" || code == "57P02" || code == "57P03";
}

// Server notices ("relation already exists, skipping") go to the debug log, not stderr.
void log_notice(void* /*arg*/, const char* message)
{
    spdlog::debug("postgresql: {}", trimmed(message));
}

class PgStatement final : public SqlStatement
{
public:
    PgStatement(PgConnection& connection, const std::string& sql, std::string name)
        : m_connection(connection), m_sql(numbered_placeholders(sql)), m_name(std::move(name))
    {
    }

    void bind_null(int index) override { slot(index).reset(); }
    void bind_int64(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
    void bind_text(int index, const std::string& value) override { slot(index) = value; }

    bool step() override
    {
        if (!m_result) {
            run();
        }
        return ++m_row < libpq().PQntuples(m_result.get());
    }
    std::int64_t exec() override
    {
        run();
        const char* count = libpq().PQcmdTuples(m_result.get());
        std::int64_t n = 0;
        std::from_chars(count, count + std::char_traits<char>::length(count), n);
        return n;
    }
    void reset() noexcept override
    {
        m_result.reset();
        m_row = -1;
        m_params.clear();
    }
    [[nodiscard]] bool is_null(int column) const override
    {
        return libpq().PQgetisnull(m_result.get(), m_row, column) != 0;
    }
    [[nodiscard]] std::int64_t int64(int column) const override
    {
        const char* value = libpq().PQgetvalue(m_result.get(), m_row, column);
        std::int64_t n = 0;
        std::from_chars(value, value + libpq().PQgetlength(m_result.get(), m_row, column), n);
        return n;
    }
    [[nodiscard]] double real(int column) const override
    {
        return std::strtod(libpq().PQgetvalue(m_result.get(), m_row, column), nullptr);
    }
    [[nodiscard]] std::string text(int column) const override
    {
        std::string value(
            libpq().PQgetvalue(m_result.get(), m_row, column),
            static_cast<std::size_t>(libpq().PQgetlength(m_result.get(), m_row, column)));
        const Oid type = libpq().PQftype(m_result.get(), column);
        if (type == k_timestamp_oid || type == k_timestamptz_oid) {
            return canonical_timestamp(std::move(value));
        }
        return value;
    }
    [[nodiscard]] int column_count() const override { return libpq().PQnfields(m_result.get()); }

private:
    std::optional<std::string>& slot(int index)
    {
        const auto i = static_cast<std::size_t>(index - 1);
        if (m_params.size() <= i) {
            m_params.resize(i + 1);
        }
        return m_params[i];
    }

    void run()
    {
        PGconn* conn = m_connection.handle();
        if (conn == nullptr || libpq().PQstatus(conn) != CONNECTION_OK) {
            m_connection.fail("running a statement", "no connection to the database", true);
        }
        std::vector<const char*> values;
        values.reserve(m_params.size());
        for (const auto& p : m_params) {
            values.push_back(p ? p->c_str() : nullptr);
        }
        const int count = static_cast<int>(values.size());
        if (m_name.empty()) {
            m_result.reset(libpq().PQexecParams(conn, m_sql.c_str(), count, nullptr, values.data(),
                                                nullptr, nullptr, 0));
        } else {
            if (m_prepared != m_connection.generation()) {
                const Result prepared(
                    libpq().PQprepare(conn, m_name.c_str(), m_sql.c_str(), 0, nullptr));
                if (!succeeded(prepared.get())) {
                    m_connection.fail("preparing " + m_sql, message_of(conn, prepared.get()),
                                      connection_gone(conn, prepared.get()));
                }
                m_prepared = m_connection.generation();
            }
            m_result.reset(libpq().PQexecPrepared(conn, m_name.c_str(), count, values.data(),
                                                  nullptr, nullptr, 0));
        }
        m_row = -1;
        if (!succeeded(m_result.get())) {
            const std::string message = message_of(conn, m_result.get());
            const bool gone = connection_gone(conn, m_result.get());
            m_result.reset();
            m_connection.fail(m_sql, message, gone);
        }
    }

    PgConnection& m_connection;
    std::string m_sql;
    std::string m_name; ///< "" for a statement that is not kept
    std::uint64_t m_prepared = 0;
    std::vector<std::optional<std::string>> m_params;
    Result m_result;
    int m_row = -1;
};

// "60", "0.3", "1.25": seconds with the milliseconds that are not zero.
std::string seconds_text(std::chrono::milliseconds limit)
{
    const auto ms = limit.count();
    std::string text = std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
        std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
        while (fraction.back() == '0') {
            fraction.pop_back();
        }
        text += "." + fraction;
    }
    return text;
}

} // namespace

std::string numbered_placeholders(const std::string& sql)
{
    std::string out;
    out.reserve(sql.size() + 16);
    int next = 0;
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote != 0) {
            quote = c == quote ? '\0' : quote;
            out += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            out += c;
        } else if (c == '?') {
            std::size_t j = i + 1;
            while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') {
                ++j;
            }
            out += '$';
            out += j > i + 1 ? sql.substr(i + 1, j - i - 1) : std::to_string(++next);
            i = j - 1;
        } else {
            out += c;
        }
    }
    return out;
}

std::string canonical_timestamp(std::string text)
{
    // "YYYY-MM-DD HH:MM:SS" then an optional fraction, then an optional zero UTC offset.
    if (text.size() < 19 || text[4] != '-' || text[10] != ' ' || text[13] != ':') {
        return text;
    }
    std::size_t end = 19;
    std::string fraction;
    if (end < text.size() && text[end] == '.') {
        ++end;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
            fraction += text[end++];
        }
    }
    const std::string_view offset = std::string_view(text).substr(end);
    if (!(offset.empty() || offset == "+00" || offset == "+00:00") || fraction.size() > 6) {
        return text;
    }
    fraction.resize(6, '0');
    return text.substr(0, 19) + "." + fraction;
}

PgConnection::PgConnection(PostgresTarget target, PostgresOptions options, bool read_only)
    : m_target(std::move(target)), m_options(options), m_read_only(read_only),
      m_location(m_target.display())
{
    if (const auto error = connect_once()) {
        throw Error("cannot open storage " + m_location + ": " + *error);
    }
}

PgConnection::~PgConnection()
{
    m_statements.clear();
    if (m_conn != nullptr) {
        libpq().PQfinish(m_conn);
    }
}

std::optional<std::string> PgConnection::connect_once()
{
    std::vector<std::pair<std::string, std::string>> options = m_target.options;
    const auto set_default = [&](const char* keyword, std::string value) {
        if (!m_target.option(keyword)) {
            options.emplace_back(keyword, std::move(value));
        }
    };
    // Timestamps are written and read as UTC text; a reader's sessions cannot write.
    std::string session = "-c TimeZone=UTC";
    if (m_read_only) {
        session += " -c default_transaction_read_only=on";
    }
    if (const auto own = m_target.option("options")) {
        session = *own + " " + session;
    }
    options.erase(std::remove_if(options.begin(), options.end(),
                                 [](const auto& o) { return o.first == "options"; }),
                  options.end());
    options.emplace_back("options", session);
    set_default("fallback_application_name", "mlosbench");
    set_default("client_encoding", "UTF8");
    // Bounded waits: a server that does not answer, or a network that went silent, ends an
    // attempt instead of hanging it (then the back-off decides).
    set_default("connect_timeout", "10");
    set_default("keepalives", "1");
    set_default("keepalives_idle", "10");
    set_default("keepalives_interval", "5");
    set_default("keepalives_count", "3");
    set_default("tcp_user_timeout", "30000");
    std::vector<const char*> keywords;
    std::vector<const char*> values;
    for (const auto& [keyword, value] : options) {
        keywords.push_back(keyword.c_str());
        values.push_back(value.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* conn = libpq().PQconnectdbParams(keywords.data(), values.data(), 0);
    if (conn == nullptr) {
        return std::string("out of memory");
    }
    if (libpq().PQstatus(conn) != CONNECTION_OK) {
        std::string error = trimmed(libpq().PQerrorMessage(conn));
        libpq().PQfinish(conn);
        return error;
    }
    libpq().PQsetNoticeProcessor(conn, &log_notice, nullptr);
    if (m_conn != nullptr) {
        libpq().PQfinish(m_conn);
    }
    m_conn = conn;
    ++m_generation;
    m_xid.reset();
    return std::nullopt;
}

void PgConnection::connect_until(Clock::time_point since, const std::string& why)
{
    auto pause = std::chrono::duration_cast<Clock::duration>(k_first_pause);
    std::string last = why;
    for (;;) {
        const auto error = connect_once();
        if (!error) {
            return;
        }
        last = *error;
        const auto left = since + m_options.reconnect_limit - Clock::now();
        if (left <= Clock::duration::zero()) {
            throw Error("the database cannot be reached (" + last + "); gave up after " +
                        seconds_text(m_options.reconnect_limit) + " s of trying to connect again");
        }
        spdlog::debug("{}: cannot connect yet ({}); trying again", m_location, last);
        std::this_thread::sleep_for(std::min(pause, left));
        pause = std::min(2 * pause, std::chrono::duration_cast<Clock::duration>(k_last_pause));
    }
}

void PgConnection::reconnect(const SqlError& lost)
{
    if (m_conn != nullptr && libpq().PQstatus(m_conn) == CONNECTION_OK) {
        return; // connected again already (settling a COMMIT)
    }
    connect_until(Clock::now(), lost.what());
}

void PgConnection::fail(const std::string& what, const std::string& message, bool gone)
{
    if (gone) {
        // The session is over even when libpq has not noticed yet (the server said it is
        // shutting down): drop it, so that reconnect() makes a new one.
        if (m_conn != nullptr) {
            libpq().PQfinish(m_conn);
            m_conn = nullptr;
        }
        throw SqlError(SqlFailure::connection_lost, message);
    }
    spdlog::debug("{}: failed: {}", m_location, what);
    throw SqlError(SqlFailure::other, message);
}

void PgConnection::run(const std::string& sql)
{
    if (m_conn == nullptr || libpq().PQstatus(m_conn) != CONNECTION_OK) {
        throw SqlError(SqlFailure::connection_lost, "no connection to the database");
    }
    const Result result(libpq().PQexec(m_conn, sql.c_str()));
    if (!succeeded(result.get())) {
        fail(sql, message_of(m_conn, result.get()), connection_gone(m_conn, result.get()));
    }
}

SqlStatement& PgConnection::statement(const char* sql)
{
    auto& slot = m_statements[sql];
    if (!slot) {
        slot = std::make_unique<PgStatement>(*this, sql, "s" + std::to_string(m_statements.size()));
    }
    slot->reset();
    return *slot;
}

std::unique_ptr<SqlStatement> PgConnection::prepare(const std::string& sql)
{
    return std::make_unique<PgStatement>(*this, sql, "");
}

void PgConnection::exec(const std::string& sql) { run(sql); }

void PgConnection::begin(SqlLock lock, std::string_view key)
{
    m_xid.reset();
    if (lock == SqlLock::read) {
        run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        return;
    }
    if (m_conn == nullptr || libpq().PQstatus(m_conn) != CONNECTION_OK) {
        throw SqlError(SqlFailure::connection_lost, "no connection to the database");
    }
    // One round trip: the transaction, the experiment's lock, and the transaction id that
    // settles a COMMIT whose answer is lost.
    char* literal = libpq().PQescapeLiteral(m_conn, key.data(), key.size());
    if (literal == nullptr) {
        fail("quoting a lock key", message_of(m_conn, nullptr), false);
    }
    const std::string sql = std::string("BEGIN; SELECT pg_advisory_xact_lock(") + k_lock_space +
                            ", hashtext(" + literal + ")), txid_current()";
    libpq().PQfreemem(literal);
    const Result result(libpq().PQexec(m_conn, sql.c_str()));
    if (!succeeded(result.get()) || libpq().PQntuples(result.get()) != 1) {
        fail("beginning a transaction", message_of(m_conn, result.get()),
             connection_gone(m_conn, result.get()));
    }
    m_xid = libpq().PQgetvalue(result.get(), 0, 1);
}

void PgConnection::commit()
{
    const auto xid = std::exchange(m_xid, std::nullopt);
    if (m_conn == nullptr) {
        throw SqlError(SqlFailure::connection_lost, "no connection to the database");
    }
    const Result result(libpq().PQexec(m_conn, "COMMIT"));
    if (succeeded(result.get())) {
        return;
    }
    const std::string message = message_of(m_conn, result.get());
    if (!connection_gone(m_conn, result.get())) {
        fail("COMMIT", message, false);
    }
    if (!xid) {
        throw SqlError(SqlFailure::connection_lost, message);
    }
    // The COMMIT went out and its answer did not come back: it may have committed. Ask the
    // server once connected again, so a transaction that did is not run (recorded) twice.
    const auto since = Clock::now();
    connect_until(since, message);
    for (auto pause = k_first_pause;; pause = std::min(2 * pause, k_last_pause)) {
        const std::string query = "SELECT txid_status(" + *xid + ")";
        const Result status(libpq().PQexec(m_conn, query.c_str()));
        if (!succeeded(status.get())) {
            fail(query, message_of(m_conn, status.get()), connection_gone(m_conn, status.get()));
        }
        const std::string state = libpq().PQgetisnull(status.get(), 0, 0) != 0
                                      ? ""
                                      : libpq().PQgetvalue(status.get(), 0, 0);
        if (state == "committed") {
            spdlog::debug("{}: the transaction whose COMMIT was cut off did commit", m_location);
            return;
        }
        if (state != "in progress" || Clock::now() - since > m_options.reconnect_limit) {
            throw SqlError(SqlFailure::connection_lost, message + " (rolled back)");
        }
        std::this_thread::sleep_for(pause);
    }
}

void PgConnection::rollback() noexcept
{
    m_xid.reset();
    if (m_conn != nullptr && libpq().PQstatus(m_conn) == CONNECTION_OK) {
        const Result result(libpq().PQexec(m_conn, "ROLLBACK"));
        if (!succeeded(result.get())) {
            spdlog::debug("{}: rollback: {}", m_location, message_of(m_conn, result.get()));
        }
    }
}

Timestamp PgConnection::clock()
{
    Query query(statement("SELECT clock_timestamp()"));
    query.step();
    const auto time = parse_timestamp(query.column(0).text());
    if (!time) {
        throw SqlError(SqlFailure::other,
                       "unreadable server time '" + query.column(0).text() + "'");
    }
    return *time;
}

std::int64_t PgConnection::last_insert_id()
{
    Query query(statement("SELECT lastval()"));
    query.step();
    return query.column(0).int64();
}

bool PgConnection::has_table(const std::string& name)
{
    Query query(statement("SELECT 1 FROM information_schema.tables WHERE table_schema = "
                          "current_schema() AND table_name = ?"));
    return query.bind(name).step();
}

std::vector<std::string> PgConnection::columns(const std::string& name)
{
    std::vector<std::string> names;
    Query query(statement("SELECT column_name FROM information_schema.columns WHERE "
                          "table_schema = current_schema() AND table_name = ? ORDER BY "
                          "ordinal_position"));
    query.bind(name);
    while (query.step()) {
        names.push_back(query.column(0).text());
    }
    return names;
}

std::vector<std::string> PgConnection::tables_with_column(const std::string& column)
{
    std::vector<std::string> tables;
    Query query(statement("SELECT c.table_name FROM information_schema.columns c JOIN "
                          "information_schema.tables t ON t.table_schema = c.table_schema AND "
                          "t.table_name = c.table_name WHERE c.table_schema = current_schema() "
                          "AND t.table_type = 'BASE TABLE' AND c.column_name = ? ORDER BY "
                          "c.table_name"));
    query.bind(column);
    while (query.step()) {
        tables.push_back(query.column(0).text());
    }
    return tables;
}

int PgConnection::schema_version()
{
    if (!has_table("mlosbench_schema")) {
        return 0;
    }
    Query query(statement("SELECT MAX(version) FROM mlosbench_schema"));
    query.step();
    return query.column(0).is_null() ? 0 : query.column(0).integer();
}

void PgConnection::set_schema_version(int version)
{
    run("CREATE TABLE IF NOT EXISTS mlosbench_schema (version INTEGER NOT NULL)");
    run("DELETE FROM mlosbench_schema");
    run("INSERT INTO mlosbench_schema (version) VALUES (" + std::to_string(version) + ")");
}

} // namespace mlosbench::detail
