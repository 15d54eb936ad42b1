#pragma once

#include "mlosbench/storage/postgres_target.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_reader.hpp"

#include <memory>

namespace mlosbench {

/// Experiments kept in a PostgreSQL database, in the same tables and columns as SqliteStorage
/// (mlos_bench's, as its SqlStorage creates them on PostgreSQL, so it reads ours, plus ours);
/// timestamps are `timestamp with time zone`, our schema version is the table
/// `mlosbench_schema(version)`, and mlos_bench's alembic stamp is written as on SQLite.
/// Opening creates or upgrades the schema in one transaction under an advisory lock, so two
/// workers starting at once do it one after the other. Workers on several machines share it:
/// each experiment's writes go one at a time (an advisory lock per experiment); heartbeats and
/// leases use the server's clock. A lost connection is retried (PostgresOptions). One
/// connection, guarded by a mutex, is shared by the experiments opened from the storage.
/// Throws Error naming the database (without password) when it cannot connect or its schema
/// is newer than ours; ConfigError, before writing anything, when the tables of ours or
/// mlos_bench's names that it has are not what they should be.
[[nodiscard]] std::unique_ptr<Storage> open_postgres_storage(const PostgresTarget& target,
                                                             PostgresOptions options = {});

/// `--create-update-storage-schema-only`: creates or upgrades the schema and returns the
/// version it had before (0 for a new database). Throws as open_postgres_storage.
int create_update_postgres_schema(const PostgresTarget& target, PostgresOptions options = {});

/// The database read in read-only sessions (the results commands). Throws ConfigError naming
/// it when it has none of our or mlos_bench's tables, Error when it cannot be reached.
[[nodiscard]] std::unique_ptr<StorageReader> open_postgres_reader(const PostgresTarget& target,
                                                                  PostgresOptions options = {});

} // namespace mlosbench
