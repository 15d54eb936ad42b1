#include "support/storage_backends.hpp"

#include "mlosbench/storage/postgres_storage.hpp"
#include "mlosbench/storage/sqlite_reader.hpp"
#include "mlosbench/storage/sqlite_storage.hpp"
#include "support/postgres_server.hpp"
#include "support/sql_rows.hpp"

#include <SQLiteCpp/Database.h>

namespace mlosbench::testing {

std::string backend_name(const ::testing::TestParamInfo<Backend>& info)
{
    return info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

StorageDatabase::StorageDatabase(Backend backend) : m_backend(backend)
{
    if (is_sqlite()) {
        m_path = (m_dir.path() / "mlosbench.db").string();
    } else {
        m_database = PostgresServer::shared().create_database();
    }
}

std::string StorageDatabase::storage_argument() const
{
    return is_sqlite() ? m_path : PostgresServer::shared().url_with_password(m_database);
}

std::string StorageDatabase::location() const
{
    return is_sqlite() ? m_path : PostgresServer::shared().url(m_database);
}

StorageSpec StorageDatabase::spec() const
{
    return storage_spec_from_location(storage_argument(), "test");
}

std::unique_ptr<Storage> StorageDatabase::open() const { return open_storage(spec()); }

std::unique_ptr<StorageReader> StorageDatabase::reader() const
{
    return open_storage_reader(spec());
}

std::vector<std::string> StorageDatabase::rows(const std::string& sql) const
{
    return is_sqlite() ? sql_rows(m_path, sql) : PostgresServer::shared().rows(m_database, sql);
}

long long StorageDatabase::count(const std::string& sql) const
{
    const auto r = rows(sql);
    if (r.size() != 1) {
        ADD_FAILURE() << "expected one row for: " << sql;
        return -1;
    }
    return std::stoll(r[0]);
}

void StorageDatabase::exec(const std::string& sql) const
{
    if (is_sqlite()) {
        SQLite::Database db(m_path, SQLite::OPEN_READWRITE);
        db.exec(sql);
    } else {
        PostgresServer::shared().exec(m_database, sql);
    }
}

std::vector<std::string> StorageDatabase::experiment_tables() const
{
    return rows(is_sqlite()
                    ? "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS "
                      "(SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'exp_id') ORDER BY "
                      "m.name"
                    : "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                      "current_schema() AND column_name = 'exp_id' ORDER BY table_name");
}

} // namespace mlosbench::testing
