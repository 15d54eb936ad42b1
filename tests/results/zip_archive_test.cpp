// write_zip_archive read back with libzip.
#include "mlosbench/results/zip_archive.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <zip.h>

namespace {

std::vector<mlosbench::ZipEntry> read_zip(const std::filesystem::path& path)
{
    std::vector<mlosbench::ZipEntry> entries;
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
    if (archive == nullptr) {
        ADD_FAILURE() << "cannot open " << path << ": libzip error " << error;
        return entries;
    }
    for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
        zip_stat_t stat;
        zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat);
        std::string contents(static_cast<std::size_t>(stat.size), '\0');
        zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
        EXPECT_EQ(zip_fread(file, contents.data(), stat.size), static_cast<zip_int64_t>(stat.size));
        zip_fclose(file);
        entries.push_back({stat.name, contents});
    }
    zip_close(archive);
    return entries;
}

} // namespace

TEST(ZipArchive, WritesEntriesInOrder)
{
    const mlosbench::testing::TempDir dir;
    const auto path = dir.path() / "a.zip";
    std::string big(100000, 'x');
    mlosbench::write_zip_archive(path, {{"results.csv", "a,b\n1,2\n"}, {"telemetry.csv", big}});
    const auto entries = read_zip(path);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].name, "results.csv");
    EXPECT_EQ(entries[0].contents, "a,b\n1,2\n");
    EXPECT_EQ(entries[1].name, "telemetry.csv");
    EXPECT_EQ(entries[1].contents, big);
    // Deflated: 100,000 equal bytes take far less room.
    EXPECT_LT(std::filesystem::file_size(path), 10000U);

    // Writing again replaces the archive rather than adding to it.
    mlosbench::write_zip_archive(path, {{"only.json", "[]\n"}});
    const auto again = read_zip(path);
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
