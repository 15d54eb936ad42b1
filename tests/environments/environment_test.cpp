#include "environments/env_fixture.hpp"
#include "mlosbench/environments/composite_env.hpp"
#include "mlosbench/environments/environment.hpp"
#include "mlosbench/environments/local_env.hpp"
#include "mlosbench/environments/local_fileshare_env.hpp"
#include "mlosbench/environments/mock_env.hpp"
#include "mlosbench/environments/remote_env.hpp"
#include "mlosbench/util/error.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

std::string create_error(const EnvironmentSpec& spec, const RunnerContext& runner)
{
    try {
        static_cast<void>(Environment::create(spec, runner));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(Environment, CreatesEachKind)
{
    EnvFixture fx;
    EnvironmentSpec root = EnvFixture::spec("root", "CompositeEnv", CompositeSettings{}, {});
    root.children.push_back(EnvFixture::spec("local", "LocalEnv", LocalSettings{}));
    root.children.push_back(EnvFixture::spec("mock", "MockEnv", MockSettings{}));
    FileShareEnvSettings share;
    share.upload = {{"a", "b"}};
    root.children.push_back(EnvFixture::spec("share", "LocalFileShareEnv", share));
    root.children.back().services.local_file_share = LocalFileShareSettings{"/tmp"};
    auto env = Environment::create(root, fx.runner);
    const auto* composite = dynamic_cast<CompositeEnv*>(env.get());
    ASSERT_NE(composite, nullptr);
    ASSERT_EQ(composite->children().size(), 3U);
    EXPECT_NE(dynamic_cast<LocalEnv*>(composite->children()[0].get()), nullptr);
    EXPECT_NE(dynamic_cast<MockEnv*>(composite->children()[1].get()), nullptr);
    EXPECT_NE(dynamic_cast<LocalFileShareEnv*>(composite->children()[2].get()), nullptr);
}

TEST(Environment, RejectsMissingServices)
{
    EnvFixture fx;
    EnvironmentSpec remote = EnvFixture::spec("db", "RemoteEnv", RemoteSettings{});
    remote.file = "env.jsonc";
    EXPECT_EQ(create_error(remote, fx.runner),
              "env.jsonc: RemoteEnv 'db' needs an SSH host service (SshHostService)");
    remote.services.ssh_host = SshSettings{};
    EXPECT_EQ(create_error(remote, fx.runner),
              "env.jsonc: /config: RemoteEnv 'db' needs the parameter 'ssh_hostname': declare it "
              "in const_args or required_args");
    remote.params.set("ssh_hostname", "db.example", "const_args");
    EXPECT_NE(dynamic_cast<RemoteEnv*>(Environment::create(remote, fx.runner).get()), nullptr);
    remote.settings = RemoteSettings{{}, /*wait_boot=*/true};
    EXPECT_EQ(create_error(remote, fx.runner),
              "env.jsonc: /config/wait_boot: RemoteEnv 'db': wait_boot needs a service with host "
              "operations (start_host), and SshHostService has none; remove wait_boot");

    EnvironmentSpec share = EnvFixture::spec("up", "LocalFileShareEnv", FileShareEnvSettings{});
    EXPECT_EQ(create_error(share, fx.runner),
              "LocalFileShareEnv 'up' needs a file share service (LocalFileShareService or "
              "SshFileShareService)");
    share.services.ssh_file_share = SshSettings{};
    EXPECT_EQ(create_error(share, fx.runner),
              "/config: LocalFileShareEnv 'up' uses SshFileShareService and needs the parameter "
              "'ssh_hostname': declare it in const_args or required_args");
    share.params.set("ssh_hostname", "db.example", "const_args");
    EXPECT_NE(dynamic_cast<LocalFileShareEnv*>(Environment::create(share, fx.runner).get()),
              nullptr);
}

TEST(Environment, ParametersOfATrial)
{
    EnvFixture fx;
    EnvironmentSpec spec = EnvFixture::spec("mock", "MockEnv", MockSettings{});
    spec.params.set("n", 99, "const_args"); // a tunable's name: the tunable wins
    spec.params.set("repeat_i", nullptr, "const_args");
    spec.params.set("vm_size", "large", "globals");
    auto env = Environment::create(spec, fx.runner);
    EXPECT_EQ(env->parameters().at("trial_runner_id"), 1);

    TrialContext trial = EnvFixture::trial(5);
    trial.metadata = {{"repeat_i", 2}, {"optimizer", "mock"}, {"n", 1}};
    ASSERT_EQ(env->setup(trial).status, Status::ready);
    EXPECT_EQ(env->parameters(), Json::parse(R"({
        "experiment_id": "exp", "trial_id": 5, "trial_runner_id": 1,
        "n": 7, "repeat_i": 2, "vm_size": "large", "mode": "c", "f": 0.5})"));
}
