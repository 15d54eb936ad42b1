#include "mlosbench/services/local_exec_service.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <array>

using namespace mlosbench;
namespace fs = std::filesystem;
namespace support = mlosbench::testing;

namespace {

LocalExecSettings with_timeout()
{
    LocalExecSettings settings;
    settings.timeout = 60.0; // a safety net: no test comes near it
    return settings;
}

void make_executable(const fs::path& path)
{
    fs::permissions(path, fs::perms::owner_exec, fs::perm_options::add);
}

} // namespace

TEST(LocalExecService, RunsLinesInCwdWithVariables)
{
    const support::TempDir dir;
    const LocalExecService exec(with_timeout(), {});
    const ExecResult result = exec.execute({"pwd", R"(printf '%s\n' "$GREETING")"},
                                           {{"GREETING", "a 'b' \"c\" $d; e"}}, dir.path());
    EXPECT_TRUE(result.ok());
    EXPECT_EQ(result.lines_run, 2U);
    EXPECT_EQ(result.out, fs::canonical(dir.path()).string() + "\na 'b' \"c\" $d; e\n");
}

TEST(LocalExecService, KeepsQuoting)
{
    const support::TempDir dir;
    const LocalExecService exec(with_timeout(), {});
    const ExecResult result = exec.execute({"echo 'a;b'   \"c  d\""}, {}, dir.path());
    EXPECT_EQ(result.out, "a;b c  d\n");
}

TEST(LocalExecService, StopsAtFirstFailingLine)
{
    const support::TempDir dir;
    const LocalExecService exec(with_timeout(), {});
    const ExecResult result =
        exec.execute({"echo one", "echo oops >&2; exit 3", "echo two"}, {}, dir.path());
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_EQ(result.lines_run, 2U);
    EXPECT_EQ(result.line, "echo oops >&2; exit 3");
    EXPECT_EQ(result.out, "one\n");
    EXPECT_EQ(result.err, "oops\n");
}

TEST(LocalExecService, GoesOnWithoutAbortOnError)
{
    const support::TempDir dir;
    LocalExecSettings settings = with_timeout();
    settings.abort_on_error = false;
    const LocalExecService exec(settings, {});
    const ExecResult result = exec.execute({"exit 3", "echo two"}, {}, dir.path());
    EXPECT_TRUE(result.ok());
    EXPECT_EQ(result.lines_run, 2U);
    EXPECT_EQ(result.out, "two\n");

    const ExecResult last_fails = exec.execute({"echo one", "exit 4"}, {}, dir.path());
    EXPECT_EQ(last_fails.exit_code, 4);
}

TEST(LocalExecService, TimesOutPerLine)
{
    const support::TempDir dir;
    const LocalExecService exec(with_timeout(), {});
    const ExecResult result = exec.execute({"sleep 30", "echo never"}, {}, dir.path(), 0.2);
    EXPECT_TRUE(result.timed_out);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.lines_run, 1U);
    EXPECT_EQ(result.out, "");
}

TEST(LocalExecService, StopsWhenCanceled)
{
    const support::TempDir dir;
    std::array<int, 2> fds{};
    ASSERT_EQ(::pipe(fds.data()), 0);
    ASSERT_EQ(::write(fds[1], "x", 1), 1); // canceled before it starts
    const LocalExecService exec(with_timeout(), {}, CancelToken(fds[0]));
    const ExecResult result = exec.execute({"sleep 30", "echo never"}, {}, dir.path());
    EXPECT_TRUE(result.canceled);
    EXPECT_EQ(result.lines_run, 1U);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(LocalExecService, ResolvesFirstWordOnTheSearchPath)
{
    const support::TempDir first;
    const support::TempDir second;
    first.write("tool.sh", "");
    second.write("tool.sh", "");
    second.write("only_second.sh", "");
    second.write("report.py", "");
    second.write("my script.sh", "");
    fs::create_directory(second.path() / "subdir");
    const LocalExecService exec(with_timeout(), {first.path(), second.path()});
    const std::string tool = (first.path() / "tool.sh").string();
    const std::string only = (second.path() / "only_second.sh").string();

    EXPECT_EQ(exec.resolve_line("tool.sh --x 'a b'"), "'" + tool + "' --x 'a b'");
    EXPECT_EQ(exec.resolve_line("  only_second.sh;echo"), "  '" + only + "';echo");
    EXPECT_EQ(exec.resolve_line("./only_second.sh"), "'" + only + "'");
    EXPECT_EQ(exec.resolve_line("report.py --n 3"),
              "python3 '" + (second.path() / "report.py").string() + "' --n 3");
    EXPECT_EQ(exec.resolve_line("'my script.sh' 1"),
              "'" + (second.path() / "my script.sh").string() + "' 1");
    EXPECT_EQ(exec.resolve_line("my\\ script.sh"),
              "'" + (second.path() / "my script.sh").string() + "'");
    // Left for /bin/sh.
    for (const std::string line :
         {"echo tool.sh", "X=1 tool.sh", "$DIR/tool.sh", "\"$T\"", "subdir", "no_such_tool a", "",
          "   ", "# tool.sh", "(tool.sh)", "'tool.sh", "`tool.sh`"}) {
        EXPECT_EQ(exec.resolve_line(line), line);
    }
}

TEST(LocalExecService, RunsAScriptFromTheSearchPath)
{
    const support::TempDir config;
    const support::TempDir cwd;
    make_executable(config.write("bench.sh", "#!/bin/sh\necho \"bench $1 in $(pwd)\"\n"));
    config.write("report.py", "import sys\nprint('py', sys.argv[1])\n");
    const LocalExecService exec(with_timeout(), {config.path()});
    const ExecResult result = exec.execute({"bench.sh 'x y'", "report.py z"}, {}, cwd.path());
    EXPECT_TRUE(result.ok()) << result.err;
    EXPECT_EQ(result.out, "bench x y in " + fs::canonical(cwd.path()).string() + "\npy z\n");
}

TEST(LocalExecService, FreshTempDirIsRemovedUnlessKept)
{
    const LocalExecService exec(with_timeout(), {});
    fs::path removed;
    {
        const TempDirContext context = exec.temp_dir_context(std::nullopt, false);
        removed = context.path();
        EXPECT_TRUE(context.owned());
        EXPECT_TRUE(fs::is_directory(removed));
    }
    EXPECT_FALSE(fs::exists(removed));

    fs::path kept;
    {
        const TempDirContext context = exec.temp_dir_context(std::nullopt, true);
        kept = context.path();
    }
    EXPECT_TRUE(fs::is_directory(kept));
    fs::remove_all(kept);
}

TEST(LocalExecService, GivenTempDirIsCreatedAndKept)
{
    const support::TempDir dir;
    const fs::path given = dir.path() / "a" / "b";
    LocalExecSettings settings = with_timeout();
    settings.temp_dir = (dir.path() / "service").string();
    const LocalExecService exec(settings, {});
    {
        const TempDirContext context = exec.temp_dir_context(given, false);
        EXPECT_EQ(context.path(), given);
        EXPECT_FALSE(context.owned());
    }
    EXPECT_TRUE(fs::is_directory(given));
    {
        const TempDirContext context = exec.temp_dir_context(std::nullopt, false);
        EXPECT_EQ(context.path(), dir.path() / "service");
    }
    EXPECT_TRUE(fs::is_directory(dir.path() / "service"));
}
