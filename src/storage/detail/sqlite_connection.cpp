#include "sqlite_connection.hpp"

#include "mlosbench/storage/sqlite_file.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace mlosbench::detail {
namespace {

SqlError translated(const SQLite::Exception& e)
{
    return {(e.getErrorCode() & 0xff) == SQLITE_BUSY ? SqlFailure::busy : SqlFailure::other,
            e.what()};
}

class SqliteStatement final : public SqlStatement
{
public:
    SqliteStatement(SQLite::Database& db, const std::string& sql)
    try : m_statement(db, sql) {
    } catch (const SQLite::Exception& e) {
        throw translated(e);
    }

    void bind_null(int index) override { m_statement.bind(index); }
    void bind_int64(int index, std::int64_t value) override { m_statement.bind(index, value); }
    void bind_text(int index, const std::string& value) override { m_statement.bind(index, value); }
    bool step() override
    {
        try {
            return m_statement.executeStep();
        } catch (const SQLite::Exception& e) {
            throw translated(e);
        }
    }
    std::int64_t exec() override
    {
        try {
            return m_statement.exec();
        } catch (const SQLite::Exception& e) {
            throw translated(e);
        }
    }
    void reset() noexcept override { m_statement.tryReset(); }
    [[nodiscard]] bool is_null(int column) const override
    {
        return m_statement.isColumnNull(column);
    }
    [[nodiscard]] std::int64_t int64(int column) const override
    {
        return m_statement.getColumn(column).getInt64();
    }
    [[nodiscard]] double real(int column) const override
    {
        return m_statement.getColumn(column).getDouble();
    }
    [[nodiscard]] std::string text(int column) const override
    {
        return m_statement.getColumn(column).getString();
    }
    [[nodiscard]] int column_count() const override { return m_statement.getColumnCount(); }

private:
    SQLite::Statement m_statement;
};

// `file_path`, once it is known to be a file we may write: nothing (not even the journal
// mode) changes in a SQLite file that is not ours.
const std::string& identified(const std::string& file_path)
{
    std::error_code ec;
    if (file_path.empty() || file_path == ":memory:" || !std::filesystem::exists(file_path, ec) ||
        std::filesystem::file_size(file_path, ec) == 0) {
        return file_path;
    }
    require_writable_sqlite_file(identify_sqlite_file(file_path), file_path);
    return file_path;
}

std::unique_ptr<SQLite::Database> open_read_write(const std::string& path)
{
    try {
        auto db = std::make_unique<SQLite::Database>(
            identified(path), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
        db->setBusyTimeout(k_sqlite_busy_timeout_ms);
        return db;
    } catch (const SQLite::Exception& e) {
        throw translated(e);
    }
}

} // namespace

SqliteConnection::SqliteConnection(const std::string& path)
    : m_path(path), m_db(open_read_write(path))
{
    try {
        if (!(path.empty() || path == ":memory:")) {
            // Persistent in the file; readers never block the writer and vice versa.
            const std::string mode = m_db->execAndGet("PRAGMA journal_mode=WAL").getString();
            if (mode != "wal") {
                spdlog::warn("{}: SQLite journal mode is '{}', not WAL", path, mode);
            }
        }
        // With WAL, NORMAL syncs at checkpoints only: a commit survives a crash of the
        // process (kill -9), though not necessarily a power loss.
        m_db->exec("PRAGMA synchronous=NORMAL");
    } catch (const SQLite::Exception& e) {
        throw translated(e);
    }
}

SqliteConnection::SqliteConnection(std::unique_ptr<SQLite::Database> db, std::string path)
    : m_path(std::move(path)), m_db(std::move(db))
{
}

SqliteConnection::~SqliteConnection() = default;

SqlStatement& SqliteConnection::statement(const char* sql)
{
    auto& slot = m_statements[sql];
    if (!slot) {
        slot = std::make_unique<SqliteStatement>(*m_db, sql);
    }
    slot->reset();
    return *slot;
}

std::unique_ptr<SqlStatement> SqliteConnection::prepare(const std::string& sql)
{
    return std::make_unique<SqliteStatement>(*m_db, sql);
}

void SqliteConnection::exec(const std::string& sql)
{
    try {
        m_db->exec(sql);
    } catch (const SQLite::Exception& e) {
        throw translated(e);
    }
}

// BEGIN and COMMIT are prepared once, like every other statement: a trial takes half a dozen
// transactions, and parsing them each time is a cost of its own.
void SqliteConnection::begin(SqlLock lock, std::string_view /*key*/)
{
    statement(lock == SqlLock::write ? "BEGIN IMMEDIATE" : "BEGIN").exec();
}

void SqliteConnection::commit()
{
    auto& commit = statement("COMMIT");
    commit.exec();
    commit.reset();
}

void SqliteConnection::rollback() noexcept
{
    try {
        m_db->exec("ROLLBACK");
    } catch (const SQLite::Exception& e) {
        spdlog::debug("{}: rollback: {}", m_path, e.what());
    }
}

std::int64_t SqliteConnection::last_insert_id() { return m_db->getLastInsertRowid(); }

bool SqliteConnection::has_table(const std::string& name)
{
    Query query(statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"));
    return query.bind(name).step();
}

std::vector<std::string> SqliteConnection::columns(const std::string& name)
{
    std::vector<std::string> names;
    Query query(statement("SELECT name FROM pragma_table_info(?)"));
    query.bind(name);
    while (query.step()) {
        names.push_back(query.column(0).text());
    }
    return names;
}

std::vector<std::string> SqliteConnection::tables_with_column(const std::string& column)
{
    std::vector<std::string> tables;
    Query query(statement("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS "
                          "(SELECT 1 FROM pragma_table_info(m.name) WHERE name = ?) ORDER BY "
                          "m.name"));
    query.bind(column);
    while (query.step()) {
        tables.push_back(query.column(0).text());
    }
    return tables;
}

int SqliteConnection::schema_version()
{
    Query query(statement("PRAGMA user_version"));
    query.step();
    return query.column(0).integer();
}

void SqliteConnection::set_schema_version(int version)
{
    exec("PRAGMA user_version = " + std::to_string(version));
}

} // namespace mlosbench::detail
