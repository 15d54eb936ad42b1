#include "mlosbench/launcher/host_pool.hpp"
#include "mlosbench/util/error.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace mlosbench;

namespace {

Parameter global(Json value) { return {std::move(value), "g.jsonc"}; }

std::string error_of(const Json& value)
{
    try {
        static_cast<void>(parse_host_pool(global(value)));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(HostPool, AddressesAndObjectsGiveEachHostItsParameters)
{
    const auto pool = parse_host_pool(global(
        Json::array({"bench@h1:2222", "h2", {{"ssh_hostname", "h3"}, {"ssh_port", 22},
                                             {"ssh_priv_key_path", "/keys/h3"}}})));
    ASSERT_EQ(pool.size(), 3U);
    EXPECT_EQ(pool[0].to_json(), (Json{{"ssh_username", "bench"}, {"ssh_port", 2222},
                                       {"ssh_hostname", "h1"}}));
    EXPECT_EQ(pool[1].to_json(), (Json{{"ssh_hostname", "h2"}}));
    EXPECT_EQ(pool[2].to_json(), (Json{{"ssh_hostname", "h3"}, {"ssh_port", 22},
                                       {"ssh_priv_key_path", "/keys/h3"}}));
    // On the command line: one string, hosts apart by commas or spaces.
    const auto flag = parse_host_pool(global("a:1, b:2 c"));
    ASSERT_EQ(flag.size(), 3U);
    EXPECT_EQ(flag[2].value("ssh_hostname"), "c");
}

TEST(HostPool, BadEntriesNameTheirPlace)
{
    EXPECT_EQ(error_of(Json::array()),
              "g.jsonc: host_pool: expected a list of hosts (\"[USER@]HOST[:PORT]\" or objects "
              "with ssh_hostname), got []");
    EXPECT_EQ(error_of(Json::array({"h1", "h2:0"})),
              "g.jsonc: host_pool/1: expected a port from 1 to 65535 after ':', got 'h2:0'");
    EXPECT_EQ(error_of(Json::array({"@h1"})),
              "g.jsonc: host_pool/0: expected USER@HOST[:PORT], got '@h1'");
    EXPECT_EQ(error_of(Json::array({{{"ssh_port", 22}}})),
              "g.jsonc: host_pool/0: expected \"[USER@]HOST[:PORT]\" or an object with a "
              "non-empty ssh_hostname, got {\"ssh_port\":22}");
    EXPECT_EQ(error_of(Json::array({{{"ssh_hostname", "h"}, {"opts", {1}}}})),
              "g.jsonc: host_pool/0/opts: expected a string, number or boolean, got [1]");
}

TEST(HostPool, BindingSetsOnlyTheParametersAnEnvironmentHas)
{
    EnvironmentSpec root;
    root.name = "root";
    root.params.set("ssh_hostname", "first", "g.jsonc");
    EnvironmentSpec local;
    local.name = "local";
    local.params.set("x", 1, "g.jsonc");
    EnvironmentSpec remote;
    remote.name = "remote";
    remote.params.set("ssh_hostname", "first", "g.jsonc");
    remote.params.set("ssh_port", 22, "g.jsonc");
    root.children = {local, remote};
    ASSERT_TRUE(uses_ssh_hostname(root));
    EXPECT_FALSE(uses_ssh_hostname(local));

    const auto pool = parse_host_pool(global(Json::array({"u@second:2200"})));
    const EnvironmentSpec bound = bind_to_host(root, pool[0]);
    EXPECT_EQ(bound.params.value("ssh_hostname"), "second");
    EXPECT_FALSE(bound.params.contains("ssh_port"));
    EXPECT_EQ(bound.children[0].params.to_json(), (Json{{"x", 1}}));
    EXPECT_EQ(bound.children[1].params.to_json(),
              (Json{{"ssh_hostname", "second"}, {"ssh_port", 2200}}));
    EXPECT_EQ(root.children[1].params.value("ssh_hostname"), "first"); // a copy
}

} // namespace
