#include "mlosbench/storage/postgres_storage.hpp"

#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "storage/detail/pg_connection.hpp"
#include "storage/detail/shared_connection.hpp"
#include "storage/detail/sql_reader.hpp"
#include "storage/detail/sql_storage.hpp"
#include "storage/detail/storage_schema.hpp"
#include "storage/detail/storage_tables.hpp"

#include <algorithm>

namespace mlosbench {
namespace {

using detail::SqlConnection;

// Throws ConfigError unless the tables of ours and mlos_bench's that the database has are
// what they should be. Other tables of a shared database are none of our business.
void require_storage_tables(SqlConnection& db, bool for_reading)
{
    const auto refuse = [&](const std::string& why) {
        throw ConfigError(db.location(), "",
                          "not an mlosbench or mlos_bench storage database (" + why + ")" +
                              (for_reading ? "" : ": left as it was"));
    };
    bool any = false;
    for (const auto& table : detail::known_tables()) {
        const auto columns = db.columns(std::string(table.name));
        if (columns.empty()) {
            continue;
        }
        any = true;
        for (const auto column : table.columns) {
            if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
                refuse("table " + in_quotes(table.name) + " has no column " + in_quotes(column));
            }
        }
    }
    if (!any) {
        if (for_reading) {
            refuse("it has none of their tables");
        }
        return; // new: ours to create
    }
    for (const char* required : {"experiment", "trial"}) {
        if (!db.has_table(required)) {
            refuse("it has no table " + in_quotes(required));
        }
    }
    if (!for_reading && db.schema_version() == 0 && db.has_table("alembic_version")) {
        detail::Query query(db.statement("SELECT version_num FROM alembic_version"));
        if (query.step() && !is_known_alembic_revision(query.column(0).text())) {
            throw ConfigError(db.location(), "",
                              "made by an mlos_bench whose schema revision '" +
                                  query.column(0).text() +
                                  "' this mlosbench does not know: left as it was");
        }
    }
}

std::shared_ptr<detail::SharedConnection>
connect(const PostgresTarget& target, const PostgresOptions& options, int& previous)
{
    auto pg = std::make_unique<detail::PgConnection>(target, options, false);
    try {
        require_storage_tables(*pg, false);
        previous = detail::migrate_schema(*pg, [&] { require_storage_tables(*pg, false); });
    } catch (const detail::SqlError& e) {
        throw Error("cannot open storage " + pg->location() + ": " + e.what());
    }
    return std::make_shared<detail::SharedConnection>(std::move(pg));
}

} // namespace

std::unique_ptr<Storage> open_postgres_storage(const PostgresTarget& target,
                                               PostgresOptions options)
{
    int previous = 0;
    return detail::make_sql_storage(connect(target, options, previous));
}

int create_update_postgres_schema(const PostgresTarget& target, PostgresOptions options)
{
    int previous = 0;
    (void)connect(target, options, previous);
    return previous;
}

std::unique_ptr<StorageReader> open_postgres_reader(const PostgresTarget& target,
                                                    PostgresOptions options)
{
    auto pg = std::make_unique<detail::PgConnection>(target, options, true);
    try {
        require_storage_tables(*pg, true);
    } catch (const detail::SqlError& e) {
        throw Error("cannot read storage " + pg->location() + ": " + e.what());
    }
    return std::make_unique<detail::SqlReader>(
        std::make_shared<detail::SharedConnection>(std::move(pg)));
}

} // namespace mlosbench
