#pragma once

#include "mlosbench/util/json.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

class Storage;
class StorageReader;
struct PostgresTarget;

/// Where experiments are kept: what `--storage` names (a storage config, a `.db` path or a
/// `postgresql://` URL). The drivers: "sqlite" (a file) and "postgresql" (a server).
struct StorageSpec
{
    std::string file;                  ///< the storage config ("" when none)
    std::string drivername = "sqlite"; ///< "sqlite" or "postgresql"
    /// SQLite: the file, resolved (":memory:" for none); PostgreSQL: the database name.
    std::string database = "mlosbench.db";
    std::optional<std::string> host;
    std::optional<int> port;
    std::optional<std::string> username;
    /// From the config or the URL; never shown or stored. Without one libpq finds it
    /// (PGPASSWORD, ~/.pgpass).
    std::optional<std::string> password;
    /// PostgreSQL: the other libpq keywords a URL's query gave (sslmode, sslrootcert,
    /// host=/socket/dir, ...), passed through.
    std::vector<std::pair<std::string, std::string>> parameters;
    bool lazy_schema_create = false;
    bool log_sql = false;

    /// Where it is, for people and for a trial's MLOSBENCH_STORAGE: the SQLite path, or
    /// `postgresql://USER@HOST:PORT/DB[?...]` without the password.
    [[nodiscard]] std::string location() const;
};

/// Whether `text` names a storage without a config file: a path ending in .db, .sqlite or
/// .sqlite3 (SQLite) or a `postgresql://` / `postgres://` URL.
[[nodiscard]] bool is_storage_location(const std::string& text);

/// The storage such a text names; a relative SQLite path resolves against the current
/// directory. ConfigError naming `where` (a flag or variable) for a URL that does not parse.
[[nodiscard]] StorageSpec storage_spec_from_location(const std::string& text,
                                                     const std::string& where);

/// The storage of a storage config: its `config` object (globals already in it), read from
/// `file` in `dir`; `resolve_paths` its resolve_config_property_paths ("database": a relative
/// SQLite path resolves against `dir`, else against the current directory). ConfigError
/// naming the file for a driver mlosbench does not have.
[[nodiscard]] StorageSpec storage_spec_from_config(const Json& config,
                                                   const std::string& file,
                                                   const std::filesystem::path& dir,
                                                   const std::vector<std::string>& resolve_paths);

/// The PostgreSQL server and database of a "postgresql" spec.
[[nodiscard]] PostgresTarget postgres_target(const StorageSpec& spec);

/// Opens the storage `spec` names for recording (SQLite: the file, created if missing;
/// PostgreSQL: the database, its schema created if missing). A PostgreSQL password from the
/// config is also put in this process's PGPASSWORD, which the trials' scripts inherit: their
/// `post-metric` reaches the database through MLOSBENCH_STORAGE, which never holds it.
/// Throws ConfigError for a driver mlosbench does not have, Error when it cannot be opened.
[[nodiscard]] std::unique_ptr<Storage> open_storage(const StorageSpec& spec);

/// Opens it for reading only (the results commands): nothing is created or written.
/// ConfigError when it does not exist or is not a storage of ours or mlos_bench's.
[[nodiscard]] std::unique_ptr<StorageReader> open_storage_reader(const StorageSpec& spec);

/// `--create-update-storage-schema-only`: creates or upgrades the schema and returns.
void create_update_storage_schema(const StorageSpec& spec);

} // namespace mlosbench
