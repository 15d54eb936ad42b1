#include "mlosbench/storage/sqlite_file.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "storage/detail/storage_tables.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>
#include <string_view>
#include <vector>

namespace mlosbench {
namespace {

namespace fs = std::filesystem;

// mlos_bench's alembic revisions of its schema, oldest first.
constexpr std::array<std::string_view, 4> k_alembic_revisions = {"d2a708351ba8", "f83fb8ae7fc4",
                                                                 "8928a401115b", "b61aa446e724"};

std::set<std::string> column_names(SQLite::Database& db, const std::string& table)
{
    std::set<std::string> names;
    SQLite::Statement query(db, "SELECT name FROM pragma_table_info(?)");
    query.bind(1, table);
    while (query.executeStep()) {
        names.insert(query.getColumn(0).getString());
    }
    return names;
}

// A URI for sqlite3_open_v2 naming `path`; '%', '?' and '#' are escaped, the rest is taken
// as written.
std::string file_uri(const std::string& path, const char* query)
{
    std::string uri = "file://";
    for (const char c : fs::absolute(path).string()) {
        switch (c) {
        case '%':
            uri += "%25";
            break;
        case '?':
            uri += "%3f";
            break;
        case '#':
            uri += "%23";
            break;
        default:
            uri += c;
        }
    }
    return uri + "?" + query;
}

// A write-ahead log with something in it: committed changes that may not be in the file yet.
bool has_wal(const std::string& path)
{
    struct stat info = {};
    return ::stat((path + "-wal").c_str(), &info) == 0 && info.st_size > 0;
}

bool may_write(const std::string& path)
{
    const fs::path dir = fs::absolute(path).parent_path();
    return ::access(path.c_str(), W_OK) == 0 && ::access(dir.c_str(), W_OK) == 0;
}

// Neither writes nor creates a file: immutable without a log, read-only with one (whose -shm
// the writer made).
std::unique_ptr<SQLite::Database> open_without_writing(const std::string& path)
{
    if (!has_wal(path)) {
        return std::make_unique<SQLite::Database>(file_uri(path, "immutable=1"),
                                                  SQLite::OPEN_READONLY | SQLite::OPEN_URI);
    }
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
    db->setBusyTimeout(k_sqlite_busy_timeout_ms);
    return db;
}

// The first read of a WAL file opened read-only fails, not the open, when its -shm cannot be
// made: say why in words.
ConfigError read_error(const std::string& path, const SQLite::Exception& e)
{
    if (has_wal(path) && !may_write(path)) {
        return {path, "",
                std::string("cannot read storage: its write-ahead log ") + path +
                    "-wal holds changes, and reading them needs its -shm file, which this "
                    "user cannot create (" +
                    e.what() + ")"};
    }
    return {path, "", std::string("cannot read storage: ") + e.what()};
}

} // namespace

bool is_known_alembic_revision(const std::string& revision)
{
    return std::find(k_alembic_revisions.begin(), k_alembic_revisions.end(), revision) !=
           k_alembic_revisions.end();
}

SqliteFileIdentity identify_sqlite_file(SQLite::Database& db)
{
    SqliteFileIdentity identity;
    identity.version = db.execAndGet("PRAGMA user_version").getInt();
    std::vector<std::string> tables;
    {
        SQLite::Statement query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                    "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
        while (query.executeStep()) {
            tables.push_back(query.getColumn(0).getString());
        }
    }
    if (tables.empty()) {
        identity.kind = SqliteFileKind::empty;
        return identity;
    }
    const auto foreign = [&](std::string why) {
        identity.kind = SqliteFileKind::foreign;
        identity.mismatch = std::move(why);
        return identity;
    };
    for (const auto& table : tables) {
        const detail::KnownTable* const it = detail::known_table(table);
        if (it == nullptr || table == "mlosbench_schema") {
            return foreign("table " + in_quotes(table) +
                           " is not one of mlosbench's or mlos_bench's");
        }
        const auto columns = column_names(db, table);
        for (const auto column : it->columns) {
            if (!columns.contains(std::string(column))) {
                return foreign("table " + in_quotes(table) + " has no column " + in_quotes(column));
            }
        }
    }
    const auto has = [&](std::string_view name) {
        return std::find(tables.begin(), tables.end(), name) != tables.end();
    };
    for (const auto* required : {"experiment", "trial"}) {
        if (!has(required)) {
            return foreign("it has no table " + in_quotes(required));
        }
    }
    if (has("alembic_version")) {
        SQLite::Statement query(db, "SELECT version_num FROM alembic_version");
        if (query.executeStep()) {
            identity.alembic_revision = query.getColumn(0).getString();
        }
    }
    if (identity.version == 0) {
        identity.kind = SqliteFileKind::mlos_bench;
        return identity;
    }
    for (const auto* ours : {"experiment_tunables", "trial_output"}) {
        if (!has(ours)) {
            return foreign("PRAGMA user_version is " + std::to_string(identity.version) +
                           " but it has no table " + in_quotes(ours));
        }
    }
    identity.kind = SqliteFileKind::mlosbench;
    return identity;
}

void require_writable_sqlite_file(const SqliteFileIdentity& identity, const std::string& location)
{
    if (identity.kind == SqliteFileKind::foreign) {
        throw ConfigError(location, "",
                          "not an mlosbench or mlos_bench storage file (" + identity.mismatch +
                              "): left as it was");
    }
    if (identity.kind == SqliteFileKind::mlos_bench && !identity.alembic_revision.empty() &&
        !is_known_alembic_revision(identity.alembic_revision)) {
        throw ConfigError(location, "",
                          "made by an mlos_bench whose schema revision '" +
                              identity.alembic_revision +
                              "' this mlosbench does not know: left as it was");
    }
}

SqliteFileIdentity identify_sqlite_file(const std::string& path)
{
    const auto db = open_without_writing(path);
    return identify_sqlite_file(*db);
}

std::unique_ptr<SQLite::Database> open_sqlite_for_reading(const std::string& path)
{
    try {
        std::unique_ptr<SQLite::Database> db;
        if (may_write(path)) {
            // The last connection to close checkpoints and removes the -wal/-shm it made;
            // query_only keeps it from changing anything else.
            db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE);
            db->setBusyTimeout(k_sqlite_busy_timeout_ms);
            db->exec("PRAGMA query_only = ON");
        } else {
            db = open_without_writing(path);
        }
        // Reading starts here: a -shm that cannot be made fails now, not at the first query.
        (void)db->execAndGet("SELECT COUNT(*) FROM sqlite_master");
        return db;
    } catch (const SQLite::Exception& e) {
        throw read_error(path, e);
    }
}

} // namespace mlosbench
