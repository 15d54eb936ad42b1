#include "mlosbench/util/error.hpp"
#include "mlosbench/util/paths.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

namespace fs = std::filesystem;
using namespace mlosbench;
using mlosbench::testing::read_file;
using mlosbench::testing::TempDir;

TEST(WriteFileAtomically, ReplacesTheFileWholeKeepingItsMode)
{
    const TempDir dir;
    const fs::path file = dir.write("out.csv", "old contents\n");
    ::chmod(file.c_str(), 0640);
    write_file_atomically(file, "new\n");
    EXPECT_EQ(read_file(file), "new\n");
    struct stat info = {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0640U);
    // Nothing else is left in the directory.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(WriteFileAtomically, ThroughASymlinkReplacesItsTarget)
{
    const TempDir dir;
    const fs::path target = dir.write("real.txt", "old\n");
    fs::create_symlink(target, dir.path() / "link.txt");
    write_file_atomically(dir.path() / "link.txt", "new\n");
    EXPECT_TRUE(fs::is_symlink(dir.path() / "link.txt"));
    EXPECT_EQ(read_file(target), "new\n");
}

TEST(WriteFileAtomically, AFailedWriteLeavesTheOldFileAsItWas)
{
    const TempDir dir;
    const fs::path file = dir.write("out.txt", "old\n");
    // A child whose files may not grow past 100 bytes: the new contents do not fit.
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit = {100, 100};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            write_file_atomically(file, std::string(1000, 'x'));
        } catch (const Error& e) {
            const std::string want = "cannot write " + file.string() + ": File too large";
            ::_exit(std::string(e.what()) == want ? 0 : 2);
        }
        ::_exit(1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(read_file(file), "old\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(WriteFileAtomically, NamesThePathWhenItCannotWrite)
{
    const TempDir dir;
    const fs::path file = dir.path() / "missing" / "out.txt";
    try {
        write_file_atomically(file, "x");
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "cannot write " + file.string() + ": No such file or directory");
    }
    // A device is written directly: there is nothing to rename over.
    EXPECT_NO_THROW(write_file_atomically("/dev/null", "x"));
}
