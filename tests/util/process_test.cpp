#include "mlosbench/util/error.hpp"
#include "mlosbench/util/process.hpp"
#include "mlosbench/util/process_scope.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace mlosbench;
namespace fs = std::filesystem;
namespace support = mlosbench::testing;

namespace {

ProcessOptions shell(std::string command)
{
    ProcessOptions options;
    options.command = std::move(command);
    options.env = current_environment();
    options.timeout_seconds = 60.0; // a safety net: no test should come near it
    return options;
}

// `command` run in `dir`, what it leaves running belonging to `scope`.
ProcessOptions scoped(const support::TempDir& dir, const ProcessScope& scope, std::string command)
{
    ProcessOptions options = shell(std::move(command));
    options.cwd = dir.path();
    options.scope = &scope;
    return options;
}

using support::is_running;
using support::read_pid;

class Pipe
{
public:
    Pipe() { EXPECT_EQ(::pipe2(m_fds.data(), O_CLOEXEC), 0); }
    ~Pipe()
    {
        ::close(m_fds[0]);
        ::close(m_fds[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;

    [[nodiscard]] int read_end() const { return m_fds[0]; }
    void signal() const { EXPECT_EQ(::write(m_fds[1], "x", 1), 1); }

private:
    std::array<int, 2> m_fds{};
};

} // namespace

TEST(Process, CapturesOutputErrorAndExitCode)
{
    const ProcessResult result = run_process(shell("echo out; echo err >&2; exit 3"));
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_EQ(result.out, "out\n");
    EXPECT_EQ(result.err, "err\n");
    EXPECT_FALSE(result.timed_out);
    EXPECT_FALSE(result.canceled);
    EXPECT_FALSE(result.out_truncated);
    EXPECT_FALSE(result.err_truncated);
    EXPECT_GT(result.seconds, 0.0);
}

TEST(Process, KeepsQuotingAsWritten)
{
    const ProcessResult result = run_process(shell(R"(printf '%s\n' 'a;b' "c d")"));
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "a;b\nc d\n");
}

TEST(Process, RunsInTheGivenDirectory)
{
    const support::TempDir dir;
    ProcessOptions options = shell("pwd -P");
    options.cwd = dir.path();
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, fs::canonical(dir.path()).string() + "\n");
}

TEST(Process, MissingDirectoryThrows)
{
    ProcessOptions options = shell("true");
    options.cwd = "/nonexistent/mlosbench-dir";
    try {
        (void)run_process(options);
        FAIL() << "expected an Error";
    } catch (const Error& error) {
        EXPECT_STREQ(error.what(),
                     "cannot run /bin/sh in '/nonexistent/mlosbench-dir': No such file or "
                     "directory");
    }
}

TEST(Process, EnvironmentIsExactlyTheGivenOne)
{
    ProcessOptions options = shell(R"(echo "${ONLY-unset} ${HOME-unset}")");
    options.env = {"ONLY=here"};
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "here unset\n");
}

TEST(Process, CurrentEnvironmentWithVariables)
{
    ProcessOptions options = shell(R"(printf '%s|%s' "$MLOSBENCH_TEST_VAR" "${PATH:+path}")");
    options.env = with_variables(current_environment(), {{"MLOSBENCH_TEST_VAR", "x 'y' $z"}});
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.out, "x 'y' $z|path");
}

TEST(Process, WithVariablesReplacesInPlaceAndAppends)
{
    const std::vector<std::string> base = {"A=1", "AB=2", "EMPTY=", "B=3"};
    EXPECT_EQ(with_variables(base, {{"A", "x=y"}, {"C", ""}, {"EMPTY", "e"}}),
              (std::vector<std::string>{"A=x=y", "AB=2", "EMPTY=e", "B=3", "C="}));
}

TEST(Process, ArgvRunsAProgramWithoutAShell)
{
    ProcessOptions options = shell("ignored");
    options.argv = {"printf", "%s|", "a b", "$HOME", "'; exit 3"};
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "a b|$HOME|'; exit 3|");

    options.argv = {"/nonexistent/program"};
    EXPECT_THROW((void)run_process(options), Error);
}

TEST(Process, StdinIsDevNull)
{
    const ProcessResult result = run_process(shell("cat; echo $?"));
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.out, "0\n");
}

TEST(Process, MissingCommandGives127)
{
    const ProcessResult result = run_process(shell("mlosbench-no-such-command --flag"));
    EXPECT_EQ(result.exit_code, 127);
    EXPECT_NE(result.err.find("not found"), std::string::npos) << result.err;
}

TEST(Process, KillBySignalGives128PlusSignal)
{
    const ProcessResult result = run_process(shell("kill -9 $$"));
    EXPECT_EQ(result.exit_code, 128 + SIGKILL);
    EXPECT_FALSE(result.timed_out);
}

TEST(Process, KeepsTheTailOfLargeOutputWithoutDeadlock)
{
    // 10 MB on stderr before anything on stdout, then 10 MB on stdout: reading only one pipe
    // at a time would block the writer on the other.
    ProcessOptions options = shell("yes e | head -c 10000000 >&2; yes o | head -c 10000000;"
                                   " echo out-end; echo err-end >&2");
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out.size(), std::size_t{1} << 20U);
    EXPECT_EQ(result.err.size(), std::size_t{1} << 20U);
    EXPECT_TRUE(result.out.ends_with("o\no\nout-end\n"));
    EXPECT_TRUE(result.err.ends_with("e\ne\nerr-end\n"));
    EXPECT_TRUE(result.out_truncated);
    EXPECT_TRUE(result.err_truncated);
}

TEST(Process, SmallCapKeepsTheLastBytes)
{
    ProcessOptions options = shell("printf 0123456789; printf abcd >&2");
    options.output_cap = 4;
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.out, "6789");
    EXPECT_TRUE(result.out_truncated);
    EXPECT_EQ(result.err, "abcd");
    EXPECT_FALSE(result.err_truncated);
}

TEST(Process, TimeoutKillsTheWholeGroup)
{
    const support::TempDir dir;
    const fs::path pid_file = dir.path() / "pid";
    ProcessOptions options =
        shell("echo before; sleep 100 & echo $! > " + pid_file.string() + "; sleep 100");
    options.timeout_seconds = 0.3;
    const ProcessResult result = run_process(options);
    EXPECT_TRUE(result.timed_out);
    EXPECT_FALSE(result.canceled);
    EXPECT_TRUE(result.exit_code == 128 + SIGTERM || result.exit_code == 128 + SIGKILL)
        << result.exit_code;
    EXPECT_EQ(result.out, "before\n");
    EXPECT_GE(result.seconds, 0.3);
    EXPECT_LT(result.seconds, 4.0); // sleep dies of SIGTERM; no grace is needed
    EXPECT_FALSE(is_running(read_pid(pid_file)));
}

TEST(Process, IgnoredTermIsFollowedByKillAfterGrace)
{
    const support::TempDir dir;
    const fs::path pid_file = dir.path() / "pid";
    ProcessOptions options =
        shell("trap '' TERM; sleep 100 & echo $! > " + pid_file.string() + "; sleep 100");
    options.timeout_seconds = 0.2;
    options.kill_grace_seconds = 0.2;
    const ProcessResult result = run_process(options);
    EXPECT_TRUE(result.timed_out);
    EXPECT_EQ(result.exit_code, 128 + SIGKILL);
    EXPECT_GE(result.seconds, 0.4);
    EXPECT_LT(result.seconds, 4.0);
    EXPECT_FALSE(is_running(read_pid(pid_file)));
}

TEST(Process, CancelBeforeStartEndsAtOnce)
{
    const Pipe cancel;
    cancel.signal();
    ProcessOptions options = shell("sleep 100");
    options.cancel = CancelToken(cancel.read_end());
    const ProcessResult result = run_process(options);
    EXPECT_TRUE(result.canceled);
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.exit_code, 128 + SIGTERM);
}

TEST(Process, CancelWhileRunningKillsTheGroup)
{
    const support::TempDir dir;
    const fs::path fifo = dir.path() / "started";
    const fs::path pid_file = dir.path() / "pid";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const Pipe cancel;
    ProcessOptions options = shell("sleep 100 & echo $! > " + pid_file.string() +
                                   "; echo started > " + fifo.string() + "; sleep 100");
    options.cancel = CancelToken(cancel.read_end());

    // The shell opens the fifo only after writing the pid file, and opening blocks until
    // we open the other end: so once we read, the grandchild exists.
    std::thread canceller([&] {
        std::ifstream started(fifo);
        std::string word;
        started >> word;
        EXPECT_EQ(word, "started");
        cancel.signal();
    });
    const ProcessResult result = run_process(options);
    canceller.join();
    EXPECT_TRUE(result.canceled);
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.exit_code, 128 + SIGTERM);
    EXPECT_LT(result.seconds, 4.0);
    EXPECT_FALSE(is_running(read_pid(pid_file)));
}

TEST(Process, WaitsForAChildThatClosedItsOutput)
{
    const ProcessResult result =
        run_process(shell("echo before; exec >&- 2>&-; sleep 0.3; exit 6"));
    EXPECT_EQ(result.exit_code, 6);
    EXPECT_EQ(result.out, "before\n");
    EXPECT_GE(result.seconds, 0.3);
}

TEST(Process, BackgroundProcessHoldingThePipesIsEnded)
{
    const support::TempDir dir;
    const fs::path pid_file = dir.path() / "pid";
    const ProcessResult result =
        run_process(shell("sleep 100 & echo $! > " + pid_file.string() + "; echo done; exit 2"));
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(result.out, "done\n");
    EXPECT_FALSE(result.timed_out);
    EXPECT_FALSE(result.canceled);
    EXPECT_LT(result.seconds, 4.0);
    EXPECT_FALSE(is_running(read_pid(pid_file)));
}

TEST(Process, BackgroundProcessWithRedirectedOutputIsLeftRunning)
{
    const support::TempDir dir;
    const fs::path pid_file = dir.path() / "pid";
    const ProcessResult result = run_process(
        shell("sleep 100 >/dev/null 2>&1 & echo $! > " + pid_file.string() + "; echo done"));
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "done\n");
    const pid_t pid = read_pid(pid_file);
    EXPECT_TRUE(is_running(pid));
    ::kill(pid, SIGKILL);
}

TEST(Process, ChildInheritsNoOtherDescriptors)
{
    const Pipe extra;                          // close-on-exec, like every fd we open
    const int leaky = ::dup(extra.read_end()); // without close-on-exec
    ASSERT_GE(leaky, 0);
    const ProcessResult result = run_process(shell("ls /proc/self/fd"));
    ::close(leaky);
    // 0, 1, 2 and the directory `ls` itself has open.
    EXPECT_EQ(result.out, "0\n1\n2\n3\n");
}

TEST(Process, ConcurrentRunsKeepTheirOwnOutput)
{
    constexpr int k_threads = 8;
    constexpr int k_runs = 20;
    std::vector<std::thread> threads;
    threads.reserve(k_threads);
    std::vector<int> failures(k_threads, 0);
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([t, &failures] {
            for (int run = 0; run < k_runs; ++run) {
                const std::string tag = std::to_string(t) + "-" + std::to_string(run);
                const ProcessResult result = run_process(
                    shell("echo o" + tag + "; echo e" + tag + " >&2; exit " + std::to_string(t)));
                if (result.out != "o" + tag + "\n" || result.err != "e" + tag + "\n" ||
                    result.exit_code != t) {
                    ++failures[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures, std::vector<int>(k_threads, 0));
}

// --- ProcessScope: what a command leaves running ------------------------------------------

TEST(ProcessScope, EndsBackgroundJobsAndTheirChildren)
{
    const support::TempDir dir;
    const ProcessScope scope;
    // The subshell hands its child's pid back through a FIFO before the line ends.
    ProcessOptions options = scoped(dir, scope,
                                    "sleep 100 >/dev/null 2>&1 & echo $! > job; mkfifo f; "
                                    "(sleep 100 & echo $! > f; wait) >/dev/null 2>&1 & "
                                    "read g < f; echo $g > grandchild");
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.exit_code, 0);
    const pid_t job = read_pid(dir.path() / "job");
    const pid_t grandchild = read_pid(dir.path() / "grandchild");
    EXPECT_TRUE(is_running(job));
    EXPECT_TRUE(is_running(grandchild));

    // The job and the subshell, and the grandchild when it came to us before it ended with
    // its group.
    const std::size_t ended = scope.end();
    EXPECT_GE(ended, 2U);
    EXPECT_LE(ended, 3U);
    EXPECT_FALSE(is_running(job));
    EXPECT_FALSE(is_running(grandchild));
    EXPECT_EQ(scope.end(), 0U);
}

TEST(ProcessScope, EndsADaemonThatLeftTheGroupWithoutWaitingTheGrace)
{
    const support::TempDir dir;
    const ProcessScope scope;
    // setsid: its own session and group, and it holds our stdout and stderr.
    ProcessOptions options =
        scoped(dir, scope, "setsid sleep 100 & echo $! > daemon; echo started");
    const ProcessResult result = run_process(options);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "started\n");
    // The line is done after the 0.1 s linger, not after SIGTERM to an empty group + 5 s.
    EXPECT_LT(result.seconds, k_kill_grace_seconds);
    const pid_t daemon = read_pid(dir.path() / "daemon");
    EXPECT_TRUE(is_running(daemon));
    EXPECT_EQ(scope.end(), 1U);
    EXPECT_FALSE(is_running(daemon));
}

TEST(ProcessScope, LeavesOtherScopesAlone)
{
    const support::TempDir dir;
    const ProcessScope mine;
    const ProcessScope other;
    ProcessOptions options = scoped(dir, mine, "sleep 100 >/dev/null 2>&1 & echo $! > job");
    // A variable inherited from outside is replaced, not kept beside ours.
    options.env = with_variables(options.env, {{std::string(k_process_scope_variable), "x"}});
    EXPECT_EQ(run_process(options).exit_code, 0);
    const pid_t job = read_pid(dir.path() / "job");
    EXPECT_EQ(other.end(), 0U);
    EXPECT_TRUE(is_running(job));
    EXPECT_EQ(mine.end(), 1U);
    EXPECT_FALSE(is_running(job));
}

TEST(ProcessScope, KillsWhatIgnoresSigtermAfterTheGrace)
{
    const support::TempDir dir;
    const ProcessScope scope;
    // An ignored signal stays ignored in what the shell starts.
    ProcessOptions options =
        scoped(dir, scope, "trap '' TERM; sleep 100 >/dev/null 2>&1 & echo $! > job");
    EXPECT_EQ(run_process(options).exit_code, 0);
    const pid_t job = read_pid(dir.path() / "job");
    EXPECT_EQ(scope.end(0.2), 1U);
    EXPECT_FALSE(is_running(job));
}
