#include "mlosbench/services/local_file_share_service.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace mlosbench;
namespace fs = std::filesystem;
namespace support = mlosbench::testing;

namespace {

// Every regular file under `root` (relative path -> content and mode).
std::map<std::string, std::pair<std::string, fs::perms>> tree(const fs::path& root)
{
    std::map<std::string, std::pair<std::string, fs::perms>> out;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            out[fs::relative(entry.path(), root).string()] = {support::read_file(entry.path()),
                                                              entry.status().permissions()};
        }
    }
    return out;
}

} // namespace

TEST(LocalFileShareService, UploadsAndDownloadsATree)
{
    const support::TempDir local;
    const support::TempDir share;
    local.write("in/a.txt", "alpha\n");
    local.write("in/sub/b.bin", std::string("\0\1\2\xff", 4));
    const fs::path script = local.write("in/sub/run.sh", "#!/bin/sh\n");
    fs::permissions(script, fs::perms::owner_all | fs::perms::group_read);
    fs::create_directories(local.path() / "in" / "empty");

    LocalFileShareService service({share.path().string()});
    ASSERT_TRUE(service.upload(local.path() / "in", "/exp/1/in").ok());
    EXPECT_EQ(tree(share.path() / "exp" / "1" / "in"), tree(local.path() / "in"));
    EXPECT_TRUE(fs::is_directory(share.path() / "exp" / "1" / "in" / "empty"));

    ASSERT_TRUE(service.download("exp/1/in", local.path() / "back").ok());
    EXPECT_EQ(tree(local.path() / "back"), tree(local.path() / "in"));
    EXPECT_EQ(fs::status(local.path() / "back" / "sub" / "run.sh").permissions(),
              fs::perms::owner_all | fs::perms::group_read);
}

TEST(LocalFileShareService, CopiesASingleFileOverAnOldOne)
{
    const support::TempDir local;
    const support::TempDir share;
    const fs::path file = local.write("out.txt", "new\n");
    share.write("results/out.txt", "old\n");
    LocalFileShareService service({share.path().string()});
    ASSERT_TRUE(service.upload(file, "results/out.txt").ok());
    EXPECT_EQ(support::read_file(share.path() / "results" / "out.txt"), "new\n");
    ASSERT_TRUE(service.download("results/out.txt", local.path() / "x" / "y.txt").ok());
    EXPECT_EQ(support::read_file(local.path() / "x" / "y.txt"), "new\n");
}

TEST(LocalFileShareService, ReportsMissingPaths)
{
    const support::TempDir local;
    const support::TempDir share;
    LocalFileShareService service({share.path().string()});

    const TransferResult download = service.download("/exp/missing.txt", local.path() / "m");
    EXPECT_EQ(download.code, TransferResult::Code::not_found);
    EXPECT_EQ(download.message, "download: '/exp/missing.txt' does not exist in the file share " +
                                    share.path().string());
    EXPECT_FALSE(fs::exists(local.path() / "m"));

    const TransferResult upload = service.upload(local.path() / "nope", "x");
    EXPECT_EQ(upload.code, TransferResult::Code::not_found);
    EXPECT_EQ(upload.message, "upload: '" + (local.path() / "nope").string() + "' does not exist");
}
