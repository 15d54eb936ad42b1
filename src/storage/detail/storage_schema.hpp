#pragma once

#include "sql_connection.hpp"

#include <functional>

namespace mlosbench::detail {

/// Brings the schema of `db` up to k_schema_version, one migration step per version, all in
/// one write transaction (so two processes opening a new database at once upgrade it one
/// after the other); returns the version it found. `recheck` runs first inside the
/// transaction: the backend identifies the database again under the lock and throws when it
/// may not be written. Throws Error (naming the database) for a schema written by a newer
/// mlosbench; SqlError when the database fails.
int migrate_schema(SqlConnection& db, const std::function<void()>& recheck);

} // namespace mlosbench::detail
