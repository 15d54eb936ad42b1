#include "mlosbench/services/service_registry.hpp"
#include "support/class_registry_checks.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

TEST(ServiceRegistry, NamesAndAliasesRoundTripAndMatchTheSchema)
{
    expect_registry_matches_schema(service_classes(), ConfigKind::service, find_service_class);
    EXPECT_EQ(find_service_class("mlos_bench.services.remote.ssh.ssh_host_service.SshHostService")
                  ->short_name,
              "SshHostService");
    EXPECT_EQ(find_service_class("LocalEnv"), nullptr);
    EXPECT_EQ(find_service_class("mlos_bench.services.remote.azure.AzureVMService"), nullptr);
}

TEST(ServiceRegistry, EachRowSetsItsCapability)
{
    const Parameters globals;
    const auto add = [&](std::string_view cls, const Json& config) {
        ServiceSet set;
        find_service_class(cls)->add_settings(set, config, globals);
        return set;
    };
    EXPECT_EQ(add("ConfigPersistenceService", {{"config_path", {"a"}}}).local_exec, std::nullopt);
    EXPECT_EQ(add("LocalExecService", {{"timeout", 3}}).local_exec->timeout, 3.0);
    EXPECT_FALSE(
        add("TempDirContextService", {{"abort_on_error", false}}).local_exec->abort_on_error);
    EXPECT_EQ(add("LocalFileShareService", {{"share_dir", "/s"}}).local_file_share->share_dir,
              "/s");
    EXPECT_EQ(add("SshHostService", {{"ssh_port", 2222}}).ssh_host->port, 2222);
    EXPECT_EQ(add("SshFileShareService", {{"ssh_username", "u"}}).ssh_file_share->username, "u");
}

} // namespace
