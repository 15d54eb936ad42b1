// write_zip_archive read back with libzip.
#include "mlosbench/results/zip_archive.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"
#include "support/zip_reader.hpp"

#include <gtest/gtest.h>

using mlosbench::testing::read_zip_entries;

TEST(ZipArchive, WritesEntriesInOrder)
{
    const mlosbench::testing::TempDir dir;
    const auto path = dir.path() / "a.zip";
    std::string big(100000, 'x');
    mlosbench::write_zip_archive(path, {{"results.csv", "a,b\n1,2\n"}, {"telemetry.csv", big}});
    const auto entries = read_zip_entries(path);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].name, "results.csv");
    EXPECT_EQ(entries[0].contents, "a,b\n1,2\n");
    EXPECT_EQ(entries[1].name, "telemetry.csv");
    EXPECT_EQ(entries[1].contents, big);
    // Deflated: 100,000 equal bytes take far less room.
    EXPECT_LT(std::filesystem::file_size(path), 10000U);

    // Writing again replaces the archive rather than adding to it.
    mlosbench::write_zip_archive(path, {{"only.json", "[]\n"}});
    const auto again = read_zip_entries(path);
    ASSERT_EQ(again.size(), 1U);
    EXPECT_EQ(again[0].name, "only.json");
}

TEST(ZipArchive, UnwritablePathIsAnError)
{
    const mlosbench::testing::TempDir dir;
    const auto path = dir.path() / "missing" / "a.zip";
    try {
        mlosbench::write_zip_archive(path, {{"results.csv", "x\n"}});
        FAIL() << "no error";
    } catch (const mlosbench::Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("cannot write " + path.string() + ": ", 0), 0U)
            << e.what();
    }
}
