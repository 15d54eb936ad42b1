#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mlosbench::testing {

/// The rows of `sql` run on the SQLite file `db` (opened read-only), each row's columns joined
/// by `separator`, NULL as "<null>": what tests compare with a command's output.
[[nodiscard]] std::vector<std::string>
sql_rows(const std::filesystem::path& db, const std::string& sql, char separator = '|');

/// The first column of the first row of `sql` ("<null>" for NULL); a failure when no row.
[[nodiscard]] std::string sql_value(const std::filesystem::path& db, const std::string& sql);

/// sql_value() as a number, for `SELECT COUNT(*) ...`.
[[nodiscard]] long long sql_count(const std::filesystem::path& db, const std::string& sql);

} // namespace mlosbench::testing
