#include "mlosbench/util/error.hpp"
#include "mlosbench/util/file.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

using namespace mlosbench;
using namespace mlosbench::testing;
namespace fs = std::filesystem;

namespace {

std::string error_of(const fs::path& path, std::size_t max_bytes)
{
    try {
        static_cast<void>(read_regular_file(path, max_bytes, "results file"));
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(ReadRegularFile, ReadsAFileAndASymlinkToOne)
{
    const TempDir dir;
    const fs::path file = dir.write("a.csv", "metric,value\nx,1\n");
    fs::create_symlink(file, dir.path() / "link.csv");
    EXPECT_EQ(read_regular_file(file, 100), "metric,value\nx,1\n");
    EXPECT_EQ(read_regular_file(dir.path() / "link.csv", 17), "metric,value\nx,1\n");
    EXPECT_EQ(read_regular_file(dir.write("empty", ""), 0), "");
}

TEST(ReadRegularFile, RefusesWhatIsNotARegularFileWithoutBlocking)
{
    const TempDir dir;
    const fs::path fifo = dir.path() / "fifo.csv";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(error_of(fifo, 100),
              "results file '" + fifo.string() + "' is a FIFO, not a regular file");
    fs::create_symlink("/dev/zero", dir.path() / "zero.csv");
    EXPECT_EQ(error_of(dir.path() / "zero.csv", 100),
              "results file '" + (dir.path() / "zero.csv").string() +
                  "' is a character device, not a regular file");
    fs::create_directory(dir.path() / "dir.csv");
    EXPECT_EQ(error_of(dir.path() / "dir.csv", 100), "results file '" +
                                                         (dir.path() / "dir.csv").string() +
                                                         "' is a directory, not a regular file");
    EXPECT_EQ(error_of(dir.path() / "none.csv", 100), "cannot read results file '" +
                                                          (dir.path() / "none.csv").string() +
                                                          "': No such file or directory");
}

TEST(ReadRegularFile, RefusesAFileLargerThanTheCap)
{
    const TempDir dir;
    const fs::path file = dir.write("big.csv", std::string(101, 'x'));
    EXPECT_EQ(error_of(file, 100), "results file '" + file.string() + "' is larger than 100 bytes");
    EXPECT_EQ(read_regular_file(file, 101).size(), 101U);
}
