// RemoteEnv with a fake command executor: how each way a remote script can end becomes a
// status and a reason (remote_env_test.cpp runs the same against a real sshd).
#include "environments/env_fixture.hpp"
#include "mlosbench/environments/remote_env.hpp"
#include "mlosbench/services/command_executor.hpp"
#include "mlosbench/util/error.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <utility>
#include <vector>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

constexpr const char* k_host = "ann@db.example:2222";

/// What the fake was asked and what it answers, shared with the test.
struct Script
{
    std::deque<ExecResult> answers; ///< one per execute(), in order
    std::vector<ExecRequest> requests;
    std::string throw_message; ///< when not empty, execute() throws Error(this)
};

class FakeExecutor final : public CommandExecutor
{
public:
    explicit FakeExecutor(Script& script) : m_script(script) {}

    [[nodiscard]] ExecResult execute(const ExecRequest& request) const override
    {
        m_script.requests.push_back(request);
        if (!m_script.throw_message.empty()) {
            throw Error(m_script.throw_message);
        }
        EXPECT_FALSE(m_script.answers.empty()) << "unexpected execute()";
        if (m_script.answers.empty()) {
            return {};
        }
        ExecResult answer = std::move(m_script.answers.front());
        m_script.answers.pop_front();
        return answer;
    }

private:
    Script& m_script;
};

ExecResult answer(int exit_code, std::string out = {}, std::string err = {})
{
    ExecResult r;
    r.exit_code = exit_code;
    r.host = k_host;
    r.out = std::move(out);
    r.err = std::move(err);
    return r;
}

ExecResult ssh_error(std::string error)
{
    ExecResult r = answer(-1);
    r.error = std::move(error);
    return r;
}

struct RemoteFixture
{
    EnvFixture fx;
    Script script;
    EnvironmentSpec spec;

    RemoteFixture()
    {
        RemoteSettings settings;
        settings.script.setup = {"mkdir -p /srv/bench"};
        settings.script.run = {"cd /srv/bench", "./bench --n \"$n\""};
        settings.script.teardown = {"rm -rf /srv/bench"};
        settings.script.results_stdout_pattern = R"(^(\w+): (\S+)$)";
        settings.script.shell_env_params = {"n"};
        spec = EnvFixture::spec("db", "RemoteEnv", settings);
        SshSettings ssh;
        ssh.request_timeout = 1;
        spec.services.ssh_host = ssh;
        spec.params.set("ssh_hostname", "db.example", "const_args");
    }

    [[nodiscard]] std::unique_ptr<RemoteEnv> make()
    {
        return std::make_unique<RemoteEnv>(spec, fx.runner, std::make_unique<FakeExecutor>(script));
    }
};

} // namespace

TEST(RemoteEnvMapping, SendsEachPhaseAsOneRequest)
{
    RemoteFixture f;
    f.script.answers = {answer(0, "made\n"), answer(0, "score: 7.5\n", "warm\n"), answer(0)};
    const auto env = f.make();
    const PhaseResult setup = env->setup(EnvFixture::trial(3));
    ASSERT_EQ(setup.status, Status::ready) << setup.reason;
    EXPECT_EQ(setup.stdout_tail, "made\n");
    const PhaseResult run = env->run();
    ASSERT_EQ(run.status, Status::succeeded) << run.reason;
    EXPECT_EQ(run.results, Json::parse(R"({"score": 7.5})"));
    EXPECT_EQ(run.stdout_tail, "score: 7.5\n");
    EXPECT_EQ(run.stderr_tail, "warm\n");
    env->end_trial();
    env->teardown();
    env->teardown(); // once

    ASSERT_EQ(f.script.requests.size(), 3U);
    const ExecRequest& r = f.script.requests[1];
    EXPECT_EQ(r.lines, (std::vector<std::string>{"cd /srv/bench", "./bench --n \"$n\""}));
    EXPECT_EQ(r.variables, (ShellVariables{{"MLOSBENCH_EXPERIMENT_ID", "exp"},
                                           {"MLOSBENCH_TRIAL_ID", "3"},
                                           {"MLOSBENCH_TRIAL_RUNNER_ID", "1"},
                                           {"MLOSBENCH_STORAGE", "/data/mlosbench.db"},
                                           {"n", "7"}}));
    EXPECT_EQ(r.timeout, 1.0); // ssh_request_timeout
    ASSERT_NE(r.parameters, nullptr);
    EXPECT_EQ(r.parameters->at("ssh_hostname"), "db.example");
    EXPECT_EQ(f.script.requests[2].lines, std::vector<std::string>{"rm -rf /srv/bench"});
}

TEST(RemoteEnvMapping, ConnectionRefusedFailsTheSetup)
{
    RemoteFixture f;
    f.script.answers = {ssh_error("cannot connect to ann@db.example:2222: Connection refused")};
    const auto env = f.make();
    const PhaseResult setup = env->setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::failed);
    EXPECT_EQ(setup.reason, "setup: cannot connect to ann@db.example:2222: Connection refused");
    EXPECT_FALSE(env->is_ready());
    const PhaseResult run = env->run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason, "run: environment 'db' is not set up");
    EXPECT_EQ(f.script.requests.size(), 1U); // the run did not try
}

TEST(RemoteEnvMapping, AuthenticationFailureFailsTheRun)
{
    RemoteFixture f;
    const std::string why = "authentication failed for ann@db.example:2222 (tried ssh-agent and "
                            "default keys, password): Access denied";
    f.script.answers = {answer(0), ssh_error(why)};
    const auto env = f.make();
    ASSERT_EQ(env->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env->run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason, "run: " + why);
    EXPECT_EQ(run.results, Json::object());
}

TEST(RemoteEnvMapping, RequestTimeoutTimesTheTrialOut)
{
    RemoteFixture f;
    ExecResult late = answer(-1, "score: 1\n");
    late.timed_out = true;
    f.script.answers = {answer(0), late};
    const auto env = f.make();
    ASSERT_EQ(env->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env->run();
    EXPECT_EQ(run.status, Status::timed_out);
    EXPECT_EQ(run.reason, "run: remote script on ann@db.example:2222 timed out after 1 s");
    EXPECT_EQ(run.results, Json::object()); // no results from a script that did not finish
    EXPECT_EQ(run.stdout_tail, "score: 1\n");

    // The environment's own timeout wins over ssh_request_timeout.
    std::get<RemoteSettings>(f.spec.settings).script.timeout = 2.5;
    f.script.answers = {answer(0), late};
    const auto env2 = f.make();
    ASSERT_EQ(env2->setup(EnvFixture::trial()).status, Status::ready);
    EXPECT_EQ(env2->run().reason,
              "run: remote script on ann@db.example:2222 timed out after 2.5 s");
    EXPECT_EQ(f.script.requests.back().timeout, 2.5);
}

TEST(RemoteEnvMapping, NonZeroExitNamesTheLine)
{
    RemoteFixture f;
    ExecResult failed = answer(3, "", "no such table\n");
    failed.line = "./bench --n \"$n\"";
    f.script.answers = {answer(0), failed, answer(0), answer(4)};
    const auto env = f.make();
    ASSERT_EQ(env->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env->run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason, "run: './bench --n \"$n\"' exited with code 3 on ann@db.example:2222");
    EXPECT_EQ(run.stderr_tail, "no such table\n");
    env->end_trial();

    // Without the line (the script's own `exit 4`, or the marker lost) the script is named.
    ASSERT_EQ(env->setup(EnvFixture::trial(2)).status, Status::ready);
    EXPECT_EQ(env->run().reason, "run: remote script exited with code 4 on ann@db.example:2222");
}

TEST(RemoteEnvMapping, CancelCancelsTheTrial)
{
    RemoteFixture f;
    ExecResult canceled = answer(-1);
    canceled.canceled = true;
    f.script.answers = {canceled};
    const auto env = f.make();
    const PhaseResult setup = env->setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::canceled);
    EXPECT_EQ(setup.reason, "setup: remote script on ann@db.example:2222 was canceled");
    EXPECT_FALSE(env->is_ready());
}

TEST(RemoteEnvMapping, AnExecutorErrorFailsThePhaseWithItsMessage)
{
    RemoteFixture f;
    f.script.throw_message = "parameter 'ssh_port' is not a port number: 'x'";
    const auto env = f.make();
    const PhaseResult setup = env->setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::failed);
    EXPECT_EQ(setup.reason, "setup: parameter 'ssh_port' is not a port number: 'x'");
}

TEST(RemoteEnvMapping, AMissingShellVariableFailsWithoutConnecting)
{
    RemoteFixture f;
    std::get<RemoteSettings>(f.spec.settings).script.shell_env_params = {"n", "nowhere"};
    const auto env = f.make();
    const PhaseResult setup = env->setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::failed);
    EXPECT_EQ(setup.reason, "shell_env_params: 'nowhere' is not a parameter of environment 'db'");
    EXPECT_TRUE(f.script.requests.empty());
}
