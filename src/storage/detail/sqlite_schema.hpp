#pragma once

#include "mlosbench/storage/sqlite_file.hpp"

#include <string>

namespace SQLite {
class Database;
} // namespace SQLite

namespace mlosbench::detail {

/// Sets the pragmas of a fresh connection: busy timeout, WAL (files only), synchronous=NORMAL.
void configure_connection(SQLite::Database& db, bool in_memory);

/// Throws ConfigError naming `location` unless a file of this identity may be written: a
/// foreign file, or one of an mlos_bench revision we do not know, is left as it was.
void require_writable_schema(const SqliteFileIdentity& identity, const std::string& location);

/// The schema version of the open file (`PRAGMA user_version`).
[[nodiscard]] int schema_version(SQLite::Database& db);

/// Brings the schema up to k_sqlite_schema_version, one migration step per version, all in
/// one transaction; returns the version it found. Throws Error (naming `location`) for a
/// file written by a newer mlosbench. SQLite errors escape as SQLite::Exception.
int migrate_schema(SQLite::Database& db, const std::string& location);

} // namespace mlosbench::detail
