// SshFileShareService (SFTP) against a real sshd on 127.0.0.1 (tests/support/ssh_server).
#include "mlosbench/services/ssh_file_share_service.hpp"
#include "support/ssh_server.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace mlosbench;
using namespace mlosbench::testing;
namespace fs = std::filesystem;

namespace {

/// Every entry under `root`: relative path -> "d MODE" or "f MODE CONTENT".
std::map<std::string, std::string> tree(const fs::path& root)
{
    std::map<std::string, std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const auto mode = static_cast<unsigned>(entry.status().permissions() & fs::perms::mask);
        const std::string rel = fs::relative(entry.path(), root).string();
        out[rel] = entry.is_directory()
                       ? "d " + std::to_string(mode)
                       : "f " + std::to_string(mode) + " " + read_file(entry.path());
    }
    return out;
}

/// A tree with nested and empty directories, binary content and several modes.
fs::path make_tree(const TempDir& dir)
{
    const fs::path root = dir.path() / "src";
    dir.write("src/a.txt", "alpha\n");
    dir.write("src/bin/run.sh", "#!/bin/sh\necho hi\n");
    dir.write("src/deep/er/data.bin",
              std::string("\0\1\2\377binary", 10) + std::string(200000, 'x'));
    dir.write("src/private", "secret");
    fs::create_directories(root / "empty");
    fs::permissions(root / "bin" / "run.sh", fs::perms(0755));
    fs::permissions(root / "private", fs::perms(0600));
    fs::permissions(root / "deep", fs::perms(0750));
    return root;
}

} // namespace

TEST(SshFileShareService, UploadsAndDownloadsADirectoryTree)
{
    SshServer server;
    TempDir local;
    const fs::path source = make_tree(local);
    SshFileShareService share(server.ssh_settings());
    share.use_parameters(Json{{"ssh_hostname", server.host()}});

    const fs::path remote = server.dir() / "share" / "x" / "y"; // parents do not exist yet
    const TransferResult up = share.upload(source, remote.string());
    ASSERT_TRUE(up.ok()) << up.message;
    EXPECT_EQ(tree(remote), tree(source));
    EXPECT_EQ(tree(remote).size(), 8U);

    const fs::path back = local.path() / "back" / "tree";
    const TransferResult down = share.download(remote.string(), back);
    ASSERT_TRUE(down.ok()) << down.message;
    EXPECT_EQ(tree(back), tree(source));

    // One file, into a directory that does not exist yet; replacing an existing file.
    const fs::path one = local.path() / "one" / "a.txt";
    ASSERT_TRUE(share.download((remote / "a.txt").string(), one).ok());
    EXPECT_EQ(read_file(one), "alpha\n");
    local.write("src/a.txt", "changed\n");
    ASSERT_TRUE(share.upload(source / "a.txt", (remote / "a.txt").string()).ok());
    EXPECT_EQ(read_file(remote / "a.txt"), "changed\n");
}

TEST(SshFileShareService, ReportsMissingPaths)
{
    SshServer server;
    SshFileShareService share(server.ssh_settings());
    share.use_parameters(Json{{"ssh_hostname", server.host()}});
    const std::string missing = (server.dir() / "nothing").string();
    const TransferResult down = share.download(missing, server.dir() / "out");
    EXPECT_EQ(down.code, TransferResult::Code::not_found);
    EXPECT_EQ(down.message, "download: '" + missing + "' does not exist on " + server.user() +
                                "@127.0.0.1:" + std::to_string(server.port()));
    const TransferResult up = share.upload(server.dir() / "no-such-file", "x");
    EXPECT_EQ(up.code, TransferResult::Code::not_found);
    EXPECT_EQ(up.message,
              "upload: '" + (server.dir() / "no-such-file").string() + "' does not exist");
}

TEST(SshFileShareService, FailsWithoutAHost)
{
    SshFileShareService share{SshSettings{}};
    share.use_parameters(Json::object());
    const TransferResult up = share.upload("/etc/hostname", "x");
    EXPECT_EQ(up.code, TransferResult::Code::failed);
    EXPECT_EQ(up.message,
              "upload: missing required parameter 'ssh_hostname' (the host to connect to)");
}
