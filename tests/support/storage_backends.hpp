#pragma once

#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_reader.hpp"
#include "mlosbench/storage/storage_spec.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <vector>

namespace mlosbench::testing {

/// The storage backends every storage test runs on.
enum class Backend {
    sqlite,
    postgresql,
};

/// "sqlite" / "postgresql", for test names (INSTANTIATE_TEST_SUITE_P's last argument).
[[nodiscard]] std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

/// Both backends, for INSTANTIATE_TEST_SUITE_P.
[[nodiscard]] inline auto all_backends()
{
    return ::testing::Values(Backend::sqlite, Backend::postgresql);
}

/// A fresh, empty storage database for one test: a SQLite file in a temp dir, or a new
/// database on the test binary's PostgreSQL server (PostgresServer::shared()).
class StorageDatabase
{
public:
    explicit StorageDatabase(Backend backend);

    [[nodiscard]] Backend backend() const { return m_backend; }
    [[nodiscard]] bool is_sqlite() const { return m_backend == Backend::sqlite; }
    /// The temp dir of the test (the SQLite file is in it).
    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir.path(); }
    /// What `--storage` takes: the file's path, or the URL with the password.
    [[nodiscard]] std::string storage_argument() const;
    /// What the storage's location() is: the path, or the URL without password.
    [[nodiscard]] std::string location() const;
    [[nodiscard]] StorageSpec spec() const;

    /// A new Storage (its own connection) on the database.
    [[nodiscard]] std::unique_ptr<Storage> open() const;
    /// A new reader of it.
    [[nodiscard]] std::unique_ptr<StorageReader> reader() const;

    /// The rows of `sql` run with plain SQL, as sql_rows() gives them.
    [[nodiscard]] std::vector<std::string> rows(const std::string& sql) const;
    /// The one value of `sql` as a number (`SELECT COUNT(*) ...`).
    [[nodiscard]] long long count(const std::string& sql) const;
    /// Runs `sql` (no rows).
    void exec(const std::string& sql) const;
    /// The tables of ours and mlos_bench's with an exp_id column, by name.
    [[nodiscard]] std::vector<std::string> experiment_tables() const;

private:
    Backend m_backend;
    TempDir m_dir;
    std::string m_path;     ///< SQLite
    std::string m_database; ///< PostgreSQL
};

} // namespace mlosbench::testing
