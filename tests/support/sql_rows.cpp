#include "support/sql_rows.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

namespace mlosbench::testing {

std::vector<std::string>
sql_rows(const std::filesystem::path& db, const std::string& sql, char separator)
{
    SQLite::Database database(db.string(), SQLite::OPEN_READONLY);
    SQLite::Statement query(database, sql);
    std::vector<std::string> out;
    while (query.executeStep()) {
        std::string row;
        for (int i = 0; i < query.getColumnCount(); ++i) {
            if (i > 0) {
                row += separator;
            }
            row += query.getColumn(i).isNull() ? "<null>" : query.getColumn(i).getString();
        }
        out.push_back(row);
    }
    return out;
}

std::string sql_value(const std::filesystem::path& db, const std::string& sql)
{
    SQLite::Database database(db.string(), SQLite::OPEN_READONLY);
    SQLite::Statement query(database, sql);
    if (!query.executeStep()) {
        ADD_FAILURE() << "no row for: " << sql;
        return "<no row>";
    }
    return query.getColumn(0).isNull() ? "<null>" : query.getColumn(0).getString();
}

long long sql_count(const std::filesystem::path& db, const std::string& sql)
{
    return std::stoll(sql_value(db, sql));
}

} // namespace mlosbench::testing
