#include "env_fixture.hpp"
#include "mlosbench/environments/composite_env.hpp"
#include "mlosbench/environments/environment_registry.hpp"
#include "mlosbench/environments/local_env.hpp"
#include "mlosbench/environments/mock_env.hpp"
#include "mlosbench/environments/remote_env.hpp"
#include "support/class_registry_checks.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

TEST(EnvironmentRegistry, NamesAndAliasesRoundTripAndMatchTheSchema)
{
    expect_registry_matches_schema(environment_classes(), ConfigKind::environment,
                                   find_environment_class);
    EXPECT_EQ(
        find_environment_class("mlos_bench.environments.local.local_env.LocalEnv")->short_name,
        "LocalEnv");
    EXPECT_EQ(find_environment_class("localenv"), nullptr);
    EXPECT_EQ(find_environment_class("SshHostService"), nullptr);
    EXPECT_EQ(find_environment_class("mlos_bench.environments.remote.vm_env.VMEnv"), nullptr);
}

TEST(EnvironmentRegistry, EachRowParsesItsOwnSettings)
{
    const auto classes = environment_classes();
    ASSERT_EQ(classes.size(), std::variant_size_v<EnvironmentSettings>);
    for (std::size_t i = 0; i < classes.size(); ++i) {
        SCOPED_TRACE(classes[i].short_name);
        EXPECT_EQ(classes[i].settings_index, i);
        const EnvironmentSettings settings = classes[i].parse_settings(Json::object());
        EXPECT_EQ(settings.index(), i);
        EXPECT_EQ(&environment_class(settings), &classes[i]);
    }
    const Json config = {{"mock_env_seed", 7}, {"mock_env_metrics", {"a", "b"}}};
    const auto mock = find_environment_class("MockEnv")->parse_settings(config);
    ASSERT_TRUE(std::holds_alternative<MockSettings>(mock));
    EXPECT_EQ(std::get<MockSettings>(mock).seed, 7);
    EXPECT_EQ(std::get<MockSettings>(mock).metrics, (std::vector<std::string>{"a", "b"}));
    EXPECT_THROW(
        static_cast<void>(find_environment_class("LocalEnv")->parse_settings({{"run", {1}}})),
        Json::exception);
}

TEST(EnvironmentRegistry, SaysWhereEachClassRunsItsScripts)
{
    LocalSettings local;
    local.script.run = {"echo local"};
    EXPECT_EQ(environment_scripts(local).script->run, local.script.run);
    EXPECT_TRUE(environment_scripts(local).local);
    FileShareEnvSettings share;
    share.local.script.setup = {"echo share"};
    EXPECT_EQ(environment_scripts(share).script->setup, share.local.script.setup);
    EXPECT_TRUE(environment_scripts(share).local);
    RemoteSettings remote;
    remote.script.teardown = {"echo remote"};
    EXPECT_EQ(environment_scripts(remote).script->teardown, remote.script.teardown);
    EXPECT_FALSE(environment_scripts(remote).local);
    EXPECT_EQ(environment_scripts(MockSettings{}).script, nullptr);
    EXPECT_EQ(environment_scripts(CompositeSettings{}).script, nullptr);
}

TEST(EnvironmentRegistry, BuildsTheClassOfTheSettings)
{
    EnvFixture fx;
    const auto mock = EnvFixture::spec("m", "MockEnv", MockSettings{});
    EXPECT_NE(dynamic_cast<MockEnv*>(Environment::create(mock, fx.runner).get()), nullptr);
    const auto local = EnvFixture::spec("l", "LocalEnv", LocalSettings{});
    EXPECT_NE(dynamic_cast<LocalEnv*>(Environment::create(local, fx.runner).get()), nullptr);
    auto composite = EnvFixture::spec("c", "CompositeEnv", CompositeSettings{});
    composite.children.push_back(mock);
    EXPECT_NE(dynamic_cast<CompositeEnv*>(Environment::create(composite, fx.runner).get()),
              nullptr);
}

} // namespace
