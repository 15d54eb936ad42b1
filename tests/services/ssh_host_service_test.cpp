// SshHostService against a real sshd on 127.0.0.1 (tests/support/ssh_server).
#include "mlosbench/services/ssh_host_service.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/process.hpp"
#include "mlosbench/util/strings.hpp"
#include "support/ssh_server.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <thread>

using namespace mlosbench;
using namespace mlosbench::testing;
namespace fs = std::filesystem;

namespace {

SshTarget target_for(const SshServer& server)
{
    return SshTarget::from(server.ssh_settings(), Json{{"ssh_hostname", server.host()}});
}

std::string name_of(const SshServer& server)
{
    return server.user() + "@127.0.0.1:" + std::to_string(server.port());
}

bool process_gone(pid_t pid, double seconds)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        // A zombie counts as gone: whoever adopted it (PID 1 of a container) may never reap it.
        const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
        const auto paren = stat.rfind(')');
        if (::kill(pid, 0) != 0 ||
            (paren != std::string::npos && stat.size() > paren + 2 && stat[paren + 2] == 'Z')) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

} // namespace

TEST(SshTarget, ParametersWinOverTheServiceSettings)
{
    SshSettings settings;
    settings.port = 2222;
    settings.username = "svc";
    settings.known_hosts_path = "/etc/kh";
    settings.keepalive_interval = 5;
    const SshTarget a = SshTarget::from(settings, Json{{"ssh_hostname", "h1"}});
    EXPECT_EQ(a.key(), "svc@h1:2222");
    EXPECT_EQ(a.known_hosts_path, "/etc/kh");
    EXPECT_EQ(a.keepalive_interval, 5);
    const SshTarget b = SshTarget::from(settings, Json{{"ssh_hostname", "h2"},
                                                       {"ssh_port", 22},
                                                       {"ssh_username", "u"},
                                                       {"ssh_password", "pw"},
                                                       {"ssh_priv_key_path", "/k"}});
    EXPECT_EQ(b.key(), "u@h2:22");
    EXPECT_EQ(b.password, "pw");
    EXPECT_EQ(b.priv_key_path, "/k");
    settings.known_hosts_checking = false;
    settings.known_hosts_path.reset();
    EXPECT_FALSE(SshTarget::from(settings, Json{{"ssh_hostname", "h"}}).known_hosts_path);
    try {
        static_cast<void>(SshTarget::from(settings, Json::object()));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "missing required parameter 'ssh_hostname' (the host to connect to)");
    }
}

TEST(SshHostService, RunsAScriptWithItsVariables)
{
    SshServer server;
    const SshHostService ssh(server.ssh_settings());
    const std::string tricky = "it's \"quoted\" $HOME `id`; echo pwned\nsecond line \\ end";
    const fs::path out = server.dir() / "value.txt";
    const ExecResult r =
        ssh.execute(target_for(server),
                    {"echo out", "echo err >&2", "printf '%s' \"$TRICKY\" > " + out.string(),
                     "cd /tmp", "pwd # a comment"},
                    {{"TRICKY", tricky}, {"PLAIN", "x"}});
    ASSERT_TRUE(r.ok()) << r.error << r.err;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "out\n/tmp\n");
    EXPECT_EQ(r.err, "err\n");
    EXPECT_EQ(read_file(out), tricky);
}

TEST(SshHostService, StopsAtTheFirstFailingLine)
{
    SshServer server;
    const SshHostService ssh(server.ssh_settings());
    const ExecResult r = ssh.execute(target_for(server),
                                     {"echo a", "echo oops >&2; sh -c 'exit 3'", "echo never"}, {});
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.line, "echo oops >&2; sh -c 'exit 3'");
    EXPECT_EQ(r.out, "a\n");
    EXPECT_EQ(r.err, "oops\n");
}

TEST(SshHostService, RefusesAnUnknownOrChangedHostKey)
{
    SshServer server;
    const SshHostService ssh(server.ssh_settings());
    SshTarget target = target_for(server);
    const std::string port = std::to_string(server.port());

    target.known_hosts_path = server.wrong_known_hosts().string();
    const ExecResult changed = ssh.execute(target, {"true"}, {});
    EXPECT_FALSE(changed.ok());
    const std::string kh = *target.known_hosts_path;
    EXPECT_EQ(changed.error,
              "host key of " + name_of(server) + " does not match the one in " + kh +
                  " (the host's key changed, or another machine answers in its place): remove "
                  "the old entry with `ssh-keygen -R '[127.0.0.1]:" +
                  port + "' -f " + kh +
                  "`, then if the host is the one you expect, accept its key with `ssh-keyscan "
                  "-p " +
                  port + " 127.0.0.1 >> " + kh +
                  "`, or set ssh_known_hosts_path to null to turn host key checking off");

    const fs::path empty = server.dir() / "empty_known_hosts";
    target.known_hosts_path = server.dir().string() + "/empty_known_hosts";
    {
        std::ofstream touch(empty);
    }
    const ExecResult unknown = ssh.execute(target, {"true"}, {});
    EXPECT_EQ(unknown.error, "host key of " + name_of(server) + " is not in " + empty.string() +
                                 ": if the host is the one you expect, accept its key with "
                                 "`ssh-keyscan -p " +
                                 port + " 127.0.0.1 >> " + empty.string() +
                                 "`, or set ssh_known_hosts_path to null to turn host key "
                                 "checking off");

    target.known_hosts_path.reset(); // checking off
    EXPECT_TRUE(ssh.execute(target, {"true"}, {}).ok());
}

TEST(SshHostService, ReportsAuthenticationFailure)
{
    SshServer server;
    const fs::path stranger = server.dir() / "stranger_key";
    generate_ssh_key(stranger);
    SshTarget target = target_for(server);
    target.priv_key_path = stranger.string();
    const ExecResult r = SshHostService(server.ssh_settings()).execute(target, {"true"}, {});
    EXPECT_EQ(r.error.rfind("authentication failed for " + name_of(server) + " (tried key file " +
                                stranger.string() + "): ",
                            0),
              0U)
        << r.error;
}

TEST(SshHostService, AuthenticatesWithTheAgent)
{
    SshServer server;
    const std::string sock = (server.dir() / "agent.sock").string();
    ProcessOptions agent;
    agent.command = "ssh-agent -a " + shell_quote(sock) + " && SSH_AUTH_SOCK=" + shell_quote(sock) +
                    " ssh-add -q " + shell_quote(server.user_key().string());
    agent.env = current_environment();
    agent.timeout_seconds = 30;
    const ProcessResult started = run_process(agent);
    ASSERT_EQ(started.exit_code, 0) << started.err;
    const auto at = started.out.find("SSH_AGENT_PID=");
    ASSERT_NE(at, std::string::npos) << started.out;
    const pid_t agent_pid = std::stoi(started.out.substr(at + 14));

    SshTarget target = target_for(server);
    target.priv_key_path.reset(); // no key file: the agent's key (there is no ~/.ssh key here)
    ::setenv("SSH_AUTH_SOCK", sock.c_str(), 1);
    const ExecResult r = SshHostService(server.ssh_settings()).execute(target, {"echo hi"}, {});
    ::unsetenv("SSH_AUTH_SOCK");
    ::kill(agent_pid, SIGTERM);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.out, "hi\n");
}

TEST(SshHostService, ReportsNothingListening)
{
    SshSettings settings;
    settings.port = SshServer::free_port();
    const SshTarget target = SshTarget::from(settings, Json{{"ssh_hostname", "127.0.0.1"}});
    const ExecResult r = SshHostService(settings).execute(target, {"true"}, {});
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error.rfind("cannot connect to " + target.key() + ": ", 0), 0U) << r.error;
    EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;
}

// An interrupt that comes while connecting makes the run canceled, not a connection failure.
TEST(SshHostService, InterruptWhileConnectingIsACancel)
{
    SshSettings settings;
    settings.port = SshServer::free_port();
    std::array<int, 2> pipe_fds{};
    ASSERT_EQ(::pipe(pipe_fds.data()), 0);
    ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
    const SshTarget target = SshTarget::from(settings, Json{{"ssh_hostname", "127.0.0.1"}});
    const ExecResult r =
        SshHostService(settings, CancelToken(pipe_fds[0])).execute(target, {"true"}, {});
    EXPECT_TRUE(r.canceled);
    EXPECT_EQ(r.error, "");
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

TEST(SshHostService, RequestTimeoutEndsTheRemoteScript)
{
    SshServer server;
    SshSettings settings = server.ssh_settings();
    settings.request_timeout = 3;
    const fs::path pid_file = server.dir() / "pid";
    const auto start = std::chrono::steady_clock::now();
    const ExecResult r = SshHostService(settings).execute(
        target_for(server), {"echo $$ > " + pid_file.string(), "sleep 30"}, {});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_TRUE(r.timed_out);
    EXPECT_FALSE(r.ok());
    EXPECT_GE(seconds, 3.0);
    EXPECT_LT(seconds, 15.0);
    const pid_t remote = std::stoi(read_file(pid_file));
    EXPECT_TRUE(process_gone(remote, 10)) << "the remote shell " << remote << " still runs";
}

TEST(SshHostService, CancelFdStopsTheRemoteScript)
{
    SshServer server;
    std::array<int, 2> pipe_fds{};
    ASSERT_EQ(::pipe(pipe_fds.data()), 0);
    const SshHostService ssh(server.ssh_settings(), CancelToken(pipe_fds[0]));
    const fs::path started = server.dir() / "started";
    auto run = std::async(std::launch::async, [&] {
        return ssh.execute(target_for(server),
                           {"echo $$ > " + started.string() + ".tmp && mv " + started.string() +
                                ".tmp " + started.string(),
                            "sleep 30"},
                           {});
    });
    ASSERT_TRUE(wait_for_file(started, 20));
    ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
    const ExecResult r = run.get();
    EXPECT_TRUE(r.canceled);
    EXPECT_FALSE(r.ok());
    const pid_t remote = std::stoi(read_file(started));
    EXPECT_TRUE(process_gone(remote, 10)) << "the remote shell " << remote << " still runs";
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

TEST(SshHostService, ConnectionLostMidRunThenConnectsAgain)
{
    SshServer server;
    const SshHostService ssh(server.ssh_settings());
    const SshTarget target = target_for(server);
    const fs::path ppid = server.dir() / "ppid";
    auto run = std::async(std::launch::async, [&] {
        return ssh.execute(target,
                           {"echo $$ > " + ppid.string() + ".sh",
                            "echo $PPID > " + ppid.string() + ".tmp && mv " + ppid.string() +
                                ".tmp " + ppid.string(),
                            "sleep 30"},
                           {});
    });
    ASSERT_TRUE(wait_for_file(ppid, 20));
    const pid_t session = std::stoi(read_file(ppid)); // the sshd process of our connection
    ASSERT_EQ(::kill(session, SIGKILL), 0);
    const ExecResult lost = run.get();
    ::kill(-std::stoi(read_file(ppid.string() + ".sh")), SIGKILL); // the orphaned `sleep 30`
    EXPECT_FALSE(lost.ok());
    EXPECT_EQ(lost.error.rfind("connection to " + name_of(server) + " lost while a command ran", 0),
              0U)
        << lost.error << " / exit " << lost.exit_code;

    const ExecResult again = ssh.execute(target, {"echo back"}, {});
    ASSERT_TRUE(again.ok()) << again.error;
    EXPECT_EQ(again.out, "back\n");
}

TEST(SshHostService, ConnectionLostWhileIdleIsReopened)
{
    SshServer server;
    const SshHostService ssh(server.ssh_settings());
    const SshTarget target = target_for(server);
    const ExecResult first = ssh.execute(target, {"echo $PPID"}, {});
    ASSERT_TRUE(first.ok()) << first.error;
    const pid_t connection = std::stoi(first.out); // sshd's process of the shared connection
    ASSERT_EQ(::kill(connection, SIGKILL), 0);
    ASSERT_TRUE(process_gone(connection, 10));
    const ExecResult again = ssh.execute(target, {"echo $PPID"}, {});
    ASSERT_TRUE(again.ok()) << again.error;
    EXPECT_NE(std::stoi(again.out), connection);
}
