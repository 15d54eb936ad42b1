#pragma once

#include <memory>
#include <string>

namespace SQLite {
class Database;
} // namespace SQLite

namespace mlosbench {

/// Whose a SQLite file is, as its schema tells.
enum class SqliteFileKind
{
    empty,      ///< no tables: a new file, ours to create
    mlosbench,  ///< ours: PRAGMA user_version >= 1 and our tables
    mlos_bench, ///< mlos_bench's tables and no others (user_version 0)
    foreign,    ///< anything else: never written
};

/// What identify_sqlite_file found.
struct SqliteFileIdentity
{
    SqliteFileKind kind = SqliteFileKind::foreign;
    int version = 0;              ///< PRAGMA user_version
    std::string alembic_revision; ///< the row of mlos_bench's alembic_version; "" when none
    std::string mismatch;         ///< for a foreign file: the first thing that is not ours
};

/// mlos_bench 0.6.2's alembic head revision, stamped in `alembic_version` of our files so that
/// mlos_bench's storage API opens them without writing.
inline constexpr const char* k_mlos_bench_alembic_head = "b61aa446e724";

/// Whether `revision` is one of mlos_bench's alembic revisions up to k_mlos_bench_alembic_head.
[[nodiscard]] bool is_known_alembic_revision(const std::string& revision);

/// Reads (never writes) the schema of `db`: its tables and their columns, PRAGMA
/// user_version and alembic_version. SQLite errors escape as SQLite::Exception.
[[nodiscard]] SqliteFileIdentity identify_sqlite_file(SQLite::Database& db);

/// Throws ConfigError naming `location` unless a file of this identity may be written: a
/// foreign file, or one of an mlos_bench revision we do not know, is left as it was.
void require_writable_sqlite_file(const SqliteFileIdentity& identity, const std::string& location);

/// How long a connection to a SQLite storage waits for another's lock: long enough for a
/// checkpoint or a slow disk under load. post-metric and the driver write small
/// transactions, so a wait this long means something is stuck.
inline constexpr int k_sqlite_busy_timeout_ms = 30000;

/// The same for the existing file `path`, opened in a way that writes nothing and creates no
/// -wal/-shm file (immutable while it has no write-ahead log, else read-only).
[[nodiscard]] SqliteFileIdentity identify_sqlite_file(const std::string& path);

/// Opens the existing file `path` for reading only. Works on a read-only mount and for a
/// user who may only read the file, and leaves no -wal/-shm file behind: when the file and
/// its directory are writable it is opened read-write with `PRAGMA query_only` (so SQLite
/// removes its -wal/-shm on close and sees concurrent writers); otherwise read-only when a
/// writer's -wal exists, else immutable (nothing is waiting in a log). Throws ConfigError
/// naming the file when it cannot be read that way.
[[nodiscard]] std::unique_ptr<SQLite::Database> open_sqlite_for_reading(const std::string& path);

} // namespace mlosbench
