#include "mlosbench/storage/storage_spec.hpp"

#include "mlosbench/config/class_names.hpp"
#include "mlosbench/storage/postgres_storage.hpp"
#include "mlosbench/storage/sqlite_reader.hpp"
#include "mlosbench/storage/sqlite_storage.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>

namespace mlosbench {
namespace {

namespace fs = std::filesystem;

// One row per driver: how a spec of it opens.
struct StorageDriver
{
    std::string_view name;
    std::unique_ptr<Storage> (*open)(const StorageSpec&);
    std::unique_ptr<StorageReader> (*open_reader)(const StorageSpec&);
    void (*create_update)(const StorageSpec&);
};

std::unique_ptr<Storage> open_sqlite(const StorageSpec& spec)
{
    return open_sqlite_storage(spec.database);
}

std::unique_ptr<StorageReader> read_sqlite(const StorageSpec& spec)
{
    if (spec.database == ":memory:") {
        throw ConfigError(spec.file.empty() ? std::string("--storage") : spec.file, "",
                          "an in-memory storage keeps nothing to read");
    }
    return std::make_unique<SqliteReader>(spec.database);
}

void update_sqlite(const StorageSpec& spec) { (void)create_update_sqlite_schema(spec.database); }

// The password of the config, for the trials' post-metric (see open_storage).
void export_password(const StorageSpec& spec)
{
    if (spec.password) {
        ::setenv("PGPASSWORD", spec.password->c_str(), 1);
    }
}

std::unique_ptr<Storage> open_postgres(const StorageSpec& spec)
{
    auto storage = open_postgres_storage(postgres_target(spec));
    export_password(spec);
    return storage;
}

std::unique_ptr<StorageReader> read_postgres(const StorageSpec& spec)
{
    return open_postgres_reader(postgres_target(spec));
}

void update_postgres(const StorageSpec& spec)
{
    (void)create_update_postgres_schema(postgres_target(spec));
}

constexpr std::array<StorageDriver, 2> k_drivers = {{
    {"sqlite", &open_sqlite, &read_sqlite, &update_sqlite},
    {"postgresql", &open_postgres, &read_postgres, &update_postgres},
}};

// The driver of `spec`: its drivername up to a '+' (mlos_bench's "postgresql+psycopg2").
const StorageDriver& driver_of(const StorageSpec& spec)
{
    const std::string where = spec.file.empty() ? std::string("--storage") : spec.file;
    if (!is_supported_storage_driver(spec.drivername)) {
        throw ConfigError(where, "/config/drivername",
                          "storage driver '" + spec.drivername + "' is not supported by mlosbench");
    }
    const std::string_view dialect =
        std::string_view(spec.drivername)
            .substr(0, std::min(spec.drivername.find('+'), spec.drivername.size()));
    for (const auto& driver : k_drivers) {
        if (driver.name == dialect) {
            return driver;
        }
    }
    throw ConfigError(where, "/config/drivername",
                      "storage driver '" + spec.drivername + "' is not supported by mlosbench");
}

bool is_sqlite_path(const std::string& text)
{
    return ends_with_icase(text, ".db") || ends_with_icase(text, ".sqlite") ||
           ends_with_icase(text, ".sqlite3");
}

std::optional<std::string> optional_text(const Json& config, const char* key)
{
    if (config.contains(key) && config.at(key).is_string()) {
        return config.at(key).get<std::string>();
    }
    return std::nullopt;
}

} // namespace

std::string StorageSpec::location() const
{
    if (driver_of(*this).name == "postgresql") {
        return postgres_target(*this).display();
    }
    return database;
}

bool is_storage_location(const std::string& text)
{
    return is_sqlite_path(text) || is_postgres_url(text);
}

StorageSpec storage_spec_from_location(const std::string& text, const std::string& where)
{
    StorageSpec spec;
    if (!is_postgres_url(text)) {
        spec.database = fs::absolute(text).string();
        return spec;
    }
    const PostgresTarget target = parse_postgres_url(text, where);
    spec.drivername = "postgresql";
    spec.database = target.option("dbname").value_or("");
    spec.host = target.option("host");
    spec.username = target.option("user");
    spec.password = target.option("password");
    if (const auto port = target.option("port")) {
        spec.port = std::atoi(port->c_str());
    }
    for (const auto& [keyword, value] : target.options) {
        if (keyword != "dbname" && keyword != "host" && keyword != "user" &&
            keyword != "password" && keyword != "port") {
            spec.parameters.emplace_back(keyword, value);
        }
    }
    return spec;
}

StorageSpec storage_spec_from_config(const Json& config,
                                     const std::string& file,
                                     const fs::path& dir,
                                     const std::vector<std::string>& resolve_paths)
{
    StorageSpec spec;
    spec.file = file;
    spec.drivername = config.value("drivername", "sqlite");
    spec.database = config.value("database", "mlosbench.db");
    spec.host = optional_text(config, "host");
    if (config.contains("port") && config.at("port").is_number_integer()) {
        spec.port = config.at("port").get<int>();
    }
    spec.username = optional_text(config, "username");
    spec.password = optional_text(config, "password");
    spec.lazy_schema_create = config.value("lazy_schema_create", false);
    spec.log_sql = config.value("log_sql", false);
    if (driver_of(spec).name == "sqlite" && spec.database != ":memory:" &&
        fs::path(spec.database).is_relative()) {
        if (std::find(resolve_paths.begin(), resolve_paths.end(), "database") !=
            resolve_paths.end()) {
            spec.database = fs::absolute(dir / spec.database).lexically_normal().string();
        } else {
            spec.database = fs::absolute(spec.database).string();
        }
    }
    return spec;
}

PostgresTarget postgres_target(const StorageSpec& spec)
{
    PostgresTarget target;
    target.set("host", spec.host);
    if (spec.port) {
        target.set("port", std::to_string(*spec.port));
    }
    target.set("user", spec.username);
    if (!spec.database.empty()) {
        target.set("dbname", spec.database);
    }
    target.set("password", spec.password);
    for (const auto& [keyword, value] : spec.parameters) {
        target.set(keyword, value);
    }
    return target;
}

std::unique_ptr<Storage> open_storage(const StorageSpec& spec)
{
    return driver_of(spec).open(spec);
}

std::unique_ptr<StorageReader> open_storage_reader(const StorageSpec& spec)
{
    return driver_of(spec).open_reader(spec);
}

void create_update_storage_schema(const StorageSpec& spec) { driver_of(spec).create_update(spec); }

} // namespace mlosbench
