// RemoteEnv (and LocalFileShareEnv over SFTP) against a real sshd on 127.0.0.1.
#include "environments/env_fixture.hpp"
#include "mlosbench/environments/local_fileshare_env.hpp"
#include "mlosbench/environments/remote_env.hpp"
#include "support/ssh_server.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <future>

using namespace mlosbench;
using namespace mlosbench::testing;
namespace fs = std::filesystem;

namespace {

EnvironmentSpec remote_spec(const SshServer& server, RemoteSettings settings, int port = 0)
{
    EnvironmentSpec spec = EnvFixture::spec("remote bench", "RemoteEnv", std::move(settings));
    spec.services.ssh_host = server.ssh_settings();
    spec.params.set("ssh_hostname", server.host(), "const_args");
    spec.params.set("ssh_port", port != 0 ? port : server.port(), "const_args");
    return spec;
}

std::string target_name(const SshServer& server, int port = 0)
{
    return server.user() + "@127.0.0.1:" + std::to_string(port != 0 ? port : server.port());
}

} // namespace

TEST(RemoteEnv, RunsSetupRunAndTeardownRemotely)
{
    EnvFixture fx;
    SshServer server;
    const fs::path work = fx.dir.path() / "work";
    RemoteSettings settings;
    settings.script.setup = {"mkdir -p " + work.string(),
                             "echo \"n=$n mode=$mode\" > " + work.string() + "/setup.txt"};
    settings.script.run = {"cat " + work.string() + "/setup.txt", "echo \"score: $n.5\"",
                           "echo latency: 12 >&2; echo 'latency: 12'",
                           "printf '%s' \"$label\" > " + work.string() + "/label.txt"};
    settings.script.teardown = {"echo done > " + work.string() + "/teardown.txt"};
    settings.script.results_stdout_pattern = R"(^(\w+): (\S+)$)";
    settings.script.shell_env_params = {"n", "mode", "label"};
    EnvironmentSpec spec = remote_spec(server, settings);
    const std::string label = "a 'b' \"c\" $d; e\nf";
    spec.params.set("label", label, "const_args");
    const auto env = Environment::create(spec, fx.runner);

    const PhaseResult setup = env->setup(EnvFixture::trial(3));
    ASSERT_EQ(setup.status, Status::ready) << setup.reason;
    EXPECT_EQ(read_file(work / "setup.txt"), "n=7 mode=c\n");
    const PhaseResult run = env->run();
    ASSERT_EQ(run.status, Status::succeeded) << run.reason << run.stderr_tail;
    EXPECT_EQ(run.results, Json::parse(R"({"score": 7.5, "latency": 12})"));
    EXPECT_EQ(run.stdout_tail, "n=7 mode=c\nscore: 7.5\nlatency: 12\n");
    EXPECT_EQ(run.stderr_tail, "latency: 12\n");
    EXPECT_EQ(read_file(work / "label.txt"), label);
    env->end_trial();
    env->teardown();
    EXPECT_EQ(read_file(work / "teardown.txt"), "done\n");
}

TEST(RemoteEnv, FailingLineFailsTheTrialWithTheLine)
{
    EnvFixture fx;
    SshServer server;
    RemoteSettings settings;
    settings.script.run = {"echo before", "exit 4", "echo after"};
    const EnvironmentSpec spec = remote_spec(server, settings);
    const auto env = Environment::create(spec, fx.runner);
    ASSERT_EQ(env->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env->run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason, "run: remote script exited with code 4 on " + target_name(server));
    settings.script.run = {"echo before", "false"};
    const EnvironmentSpec spec2 = remote_spec(server, settings);
    const auto env2 = Environment::create(spec2, fx.runner);
    ASSERT_EQ(env2->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run2 = env2->run();
    EXPECT_EQ(run2.reason, "run: 'false' exited with code 1 on " + target_name(server));
    EXPECT_EQ(run2.stdout_tail, "before\n");
}

TEST(RemoteEnv, NothingListeningFailsTheTrial)
{
    EnvFixture fx;
    SshServer server;
    RemoteSettings settings;
    settings.script.setup = {"true"};
    const int port = SshServer::free_port();
    const EnvironmentSpec spec = remote_spec(server, settings, port);
    const auto env = Environment::create(spec, fx.runner);
    const PhaseResult setup = env->setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::failed);
    EXPECT_EQ(setup.reason.rfind("setup: cannot connect to " + target_name(server, port) + ": ", 0),
              0U)
        << setup.reason;
    EXPECT_EQ(env->run().status, Status::failed);
}

TEST(RemoteEnv, RefusedHostKeyFailsTheTrial)
{
    EnvFixture fx;
    SshServer server;
    RemoteSettings settings;
    settings.script.run = {"true"};
    EnvironmentSpec spec = remote_spec(server, settings);
    spec.services.ssh_host->known_hosts_path = server.wrong_known_hosts().string();
    const auto env = Environment::create(spec, fx.runner);
    ASSERT_EQ(env->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env->run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason.rfind("run: host key of " + target_name(server) + " does not match", 0),
              0U)
        << run.reason;
}

TEST(RemoteEnv, TimeoutTimesTheTrialOut)
{
    EnvFixture fx;
    SshServer server;
    RemoteSettings settings;
    settings.script.run = {"sleep 30"};
    EnvironmentSpec spec = remote_spec(server, settings);
    spec.services.ssh_host->request_timeout = 1;
    const auto env = Environment::create(spec, fx.runner);
    ASSERT_EQ(env->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env->run();
    EXPECT_EQ(run.status, Status::timed_out);
    EXPECT_EQ(run.reason, "run: remote script on " + target_name(server) + " timed out after 1 s");
}

TEST(RemoteEnv, ConnectionCutMidRunFailsTheTrialAndTheNextTrialConnects)
{
    EnvFixture fx;
    SshServer server;
    const fs::path ppid = fx.dir.path() / "ppid";
    RemoteSettings settings;
    settings.script.run = {"if [ \"$trial_id\" = 1 ]; then echo $$ > " + ppid.string() +
                               ".sh; echo $PPID > " + ppid.string() + ".tmp; mv " + ppid.string() +
                               ".tmp " + ppid.string() + "; sleep 30; fi",
                           "echo score: $trial_id"};
    settings.script.shell_env_params = {"trial_id"};
    settings.script.results_stdout_pattern = R"(^(\w+): (\S+)$)";
    const EnvironmentSpec spec = remote_spec(server, settings);
    const auto env = Environment::create(spec, fx.runner);

    ASSERT_EQ(env->setup(EnvFixture::trial(1)).status, Status::ready);
    auto first = std::async(std::launch::async, [&] { return env->run(); });
    ASSERT_TRUE(wait_for_file(ppid, 20));
    ASSERT_EQ(::kill(std::stoi(read_file(ppid)), SIGKILL), 0); // that session's sshd
    const PhaseResult lost = first.get();
    ::kill(-std::stoi(read_file(ppid.string() + ".sh")), SIGKILL); // the orphaned sleep
    EXPECT_EQ(lost.status, Status::failed);
    EXPECT_EQ(lost.reason.rfind(
                  "run: connection to " + target_name(server) + " lost while a command ran", 0),
              0U)
        << lost.reason;
    env->end_trial();

    ASSERT_EQ(env->setup(EnvFixture::trial(2)).status, Status::ready);
    const PhaseResult next = env->run();
    ASSERT_EQ(next.status, Status::succeeded) << next.reason;
    EXPECT_EQ(next.results, Json::parse(R"({"score": 2})"));
}

TEST(RemoteEnv, TwoRunnersShareOneHostAtOnce)
{
    EnvFixture fx;
    SshServer server;
    const fs::path meet = fx.dir.path() / "meet";
    fs::create_directories(meet);
    // Each runner marks its start, then waits (at most 10 s) for the other's mark: both
    // succeed only if the two scripts run at the same time over the shared connection.
    RemoteSettings settings;
    settings.script.run = {
        "touch " + meet.string() + "/$trial_runner_id",
        "i=0; while [ $(ls " + meet.string() +
            " | wc -l) -lt 2 ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done",
        "echo seen: $(ls " + meet.string() + " | wc -l)", "echo runner: $trial_runner_id",
        "echo connection: $PPID"}; // sshd's process of the connection
    settings.script.shell_env_params = {"trial_runner_id"};
    settings.script.results_stdout_pattern = R"(^(\w+): (\S+)$)";
    const EnvironmentSpec spec = remote_spec(server, settings);
    RunnerContext runner2 = fx.runner;
    runner2.runner_id = 2;
    const auto env1 = Environment::create(spec, fx.runner);
    const auto env2 = Environment::create(spec, runner2);
    TrialContext trial2 = EnvFixture::trial(2);
    trial2.runner_id = 2;
    auto a = std::async(std::launch::async, [&] {
        static_cast<void>(env1->setup(EnvFixture::trial(1)));
        return env1->run();
    });
    auto b = std::async(std::launch::async, [&] {
        static_cast<void>(env2->setup(trial2));
        return env2->run();
    });
    const PhaseResult ra = a.get();
    const PhaseResult rb = b.get();
    ASSERT_EQ(ra.status, Status::succeeded) << ra.reason;
    ASSERT_EQ(rb.status, Status::succeeded) << rb.reason;
    EXPECT_EQ(ra.results["seen"], 2);
    EXPECT_EQ(rb.results["seen"], 2);
    EXPECT_EQ(ra.results["runner"], 1);
    EXPECT_EQ(rb.results["runner"], 2);
    // Both ran over the one shared connection.
    EXPECT_EQ(ra.results["connection"], rb.results["connection"]);
}

TEST(LocalFileShareEnv, UploadsAndDownloadsOverSftp)
{
    EnvFixture fx;
    SshServer server;
    const fs::path remote = server.dir() / "remote";
    fx.runner.search_path = {fx.dir.path() / "configs"};
    fx.dir.write("configs/inputs/app.conf", "threads=4\n");
    FileShareEnvSettings settings;
    settings.local.script.setup = {"echo generated > gen.txt"};
    settings.local.script.run = {"cat out.txt"};
    settings.local.script.results_stdout_pattern = R"(^(\w+)=(\S+)$)";
    settings.upload = {{"inputs", remote.string() + "/$trial_id/inputs"},
                       {"$PWD/gen.txt", remote.string() + "/$trial_id/gen.txt"}};
    settings.download = {{remote.string() + "/$trial_id/out.txt", "$PWD/out.txt"}};
    EnvironmentSpec spec = EnvFixture::spec("share", "LocalFileShareEnv", settings);
    spec.services.ssh_file_share = server.ssh_settings();
    spec.params.set("ssh_hostname", server.host(), "const_args");
    spec.params.set("ssh_port", server.port(), "const_args");
    const auto env = Environment::create(spec, fx.runner);

    const PhaseResult setup = env->setup(EnvFixture::trial(5));
    ASSERT_EQ(setup.status, Status::ready) << setup.reason;
    EXPECT_EQ(read_file(remote / "5" / "inputs" / "app.conf"), "threads=4\n");
    EXPECT_EQ(read_file(remote / "5" / "gen.txt"), "generated\n");

    const PhaseResult missing = env->run();
    EXPECT_EQ(missing.status, Status::failed);
    EXPECT_EQ(missing.reason, "download: '" + (remote / "5" / "out.txt").string() +
                                  "' does not exist on " + target_name(server));
    fx.dir.write("out.txt", "score=0.75\n");
    fs::copy_file(fx.dir.path() / "out.txt", remote / "5" / "out.txt");
    const PhaseResult run = env->run();
    ASSERT_EQ(run.status, Status::succeeded) << run.reason;
    EXPECT_EQ(run.results, Json::parse(R"({"score": 0.75})"));
}
