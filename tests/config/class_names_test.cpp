#include "mlosbench/config/class_names.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

const std::vector<ConfigKind> k_class_kinds = {ConfigKind::environment, ConfigKind::service,
                                               ConfigKind::optimizer, ConfigKind::scheduler,
                                               ConfigKind::storage};

TEST(ClassNames, MapsEveryMlosBenchSpellingToOurShortName)
{
    const auto env = [](std::string_view cls) {
        return canonical_class_name(ConfigKind::environment, cls);
    };
    EXPECT_EQ(env("LocalEnv"), "LocalEnv");
    EXPECT_EQ(env("mlos_bench.environments.LocalEnv"), "LocalEnv");
    EXPECT_EQ(env("mlos_bench.environments.local.LocalEnv"), "LocalEnv");
    EXPECT_EQ(env("mlos_bench.environments.local.local_env.LocalEnv"), "LocalEnv");
    EXPECT_EQ(env("mlos_bench.environments.local.local_fileshare_env.LocalFileShareEnv"),
              "LocalFileShareEnv");
    EXPECT_EQ(env("mlos_bench.environments.remote.remote_env.RemoteEnv"), "RemoteEnv");
    EXPECT_EQ(env("mlos_bench.environments.composite_env.CompositeEnv"), "CompositeEnv");
    EXPECT_EQ(env("mlos_bench.environments.mock_env.MockEnv"), "MockEnv");
    EXPECT_EQ(
        canonical_class_name(ConfigKind::service,
                             "mlos_bench.services.remote.ssh.ssh_host_service.SshHostService"),
        "SshHostService");
    EXPECT_EQ(
        canonical_class_name(ConfigKind::service,
                             "mlos_bench.services.remote.ssh.ssh_fileshare.SshFileShareService"),
        "SshFileShareService");
    EXPECT_EQ(
        canonical_class_name(ConfigKind::service,
                             "mlos_bench.services.local.temp_dir_context.TempDirContextService"),
        "TempDirContextService");
    EXPECT_EQ(canonical_class_name(ConfigKind::service, "LocalFileShareService"),
              "LocalFileShareService");
    EXPECT_EQ(
        canonical_class_name(ConfigKind::optimizer,
                             "mlos_bench.optimizers.grid_search_optimizer.GridSearchOptimizer"),
        "GridSearchOptimizer");
    EXPECT_EQ(canonical_class_name(ConfigKind::optimizer, "TpeOptimizer"), "TpeOptimizer");
    EXPECT_EQ(canonical_class_name(ConfigKind::scheduler,
                                   "mlos_bench.schedulers.sync_scheduler.SyncScheduler"),
              "SyncScheduler");
    EXPECT_EQ(
        canonical_class_name(ConfigKind::storage, "mlos_bench.storage.sql.storage.SqlStorage"),
        "SqlStorage");
}

TEST(ClassNames, RejectsOtherKindsUnknownAndUnsupported)
{
    EXPECT_EQ(canonical_class_name(ConfigKind::service, "LocalEnv"), std::nullopt);
    EXPECT_EQ(canonical_class_name(ConfigKind::environment, "mlos_bench.environments.DNE"),
              std::nullopt);
    EXPECT_EQ(canonical_class_name(ConfigKind::environment, "localenv"), std::nullopt);
    EXPECT_EQ(canonical_class_name(ConfigKind::environment,
                                   "mlos_bench.environments.remote.vm_env.VMEnv"),
              std::nullopt);
    // Our own classes have no mlos_bench spelling.
    EXPECT_EQ(canonical_class_name(ConfigKind::optimizer, "mlos_bench.optimizers.TpeOptimizer"),
              std::nullopt);
}

TEST(ClassNames, KnowsWhatMlosbenchDoesNotProvide)
{
    for (const char* cls :
         {"mlos_bench.environments.remote.HostEnv",
          "mlos_bench.environments.remote.host_env.HostEnv", "mlos_bench.environments.remote.VMEnv",
          "mlos_bench.environments.remote.vm_env.VMEnv", "mlos_bench.environments.remote.OSEnv",
          "mlos_bench.environments.remote.os_env.OSEnv",
          "mlos_bench.environments.remote.NetworkEnv",
          "mlos_bench.environments.remote.network_env.NetworkEnv",
          "mlos_bench.environments.remote.SaaSEnv",
          "mlos_bench.environments.remote.saas_env.SaaSEnv", "VMEnv"}) {
        EXPECT_TRUE(is_unsupported_class(ConfigKind::environment, cls)) << cls;
        EXPECT_FALSE(is_unsupported_class(ConfigKind::service, cls)) << cls;
    }
    for (const char* cls :
         {"mlos_bench.services.remote.azure.AzureAuthService",
          "mlos_bench.services.remote.azure.azure_vm_services.AzureVMService",
          "mlos_bench.services.remote.azure.AzureFileShareService", "AzureSaaSConfigService",
          "mlos_bench.tests.services.local.mock.MockLocalExecService",
          "mlos_bench.tests.services.remote.mock.mock_fileshare_service.MockFileShareService",
          "mlos_bench.tests.services.mock_service.MockServiceBase"}) {
        EXPECT_TRUE(is_unsupported_class(ConfigKind::service, cls)) << cls;
    }
    EXPECT_TRUE(is_unsupported_class(ConfigKind::scheduler,
                                     "mlos_bench.tests.schedulers.mock_scheduler.MockScheduler"));
    // MockEnv and MockOptimizer are provided; unknown names are not "unsupported".
    EXPECT_FALSE(is_unsupported_class(ConfigKind::environment, "mlos_bench.environments.MockEnv"));
    EXPECT_FALSE(
        is_unsupported_class(ConfigKind::optimizer, "mlos_bench.optimizers.MockOptimizer"));
    EXPECT_FALSE(is_unsupported_class(ConfigKind::environment, "mlos_bench.environments.DNE"));
}

TEST(ClassNames, TellsTheKindOfAClass)
{
    EXPECT_EQ(class_kind("LocalEnv"), ConfigKind::environment);
    EXPECT_EQ(class_kind("mlos_bench.services.local.local_exec.LocalExecService"),
              ConfigKind::service);
    EXPECT_EQ(class_kind("mlos_bench.environments.remote.vm_env.VMEnv"), ConfigKind::environment);
    EXPECT_EQ(class_kind("AzureVMService"), ConfigKind::service);
    EXPECT_EQ(class_kind("mlos_bench.tests.schedulers.mock_scheduler.MockScheduler"),
              ConfigKind::scheduler);
    EXPECT_EQ(class_kind("mlos_bench.optimizers.NewOptimizer"), ConfigKind::optimizer);
    EXPECT_EQ(class_kind("com.example.Thing"), std::nullopt);
}

TEST(ClassNames, ListsShortNames)
{
    EXPECT_EQ(short_class_names(ConfigKind::environment),
              (std::vector<std::string>{"CompositeEnv", "LocalEnv", "LocalFileShareEnv", "MockEnv",
                                        "RemoteEnv"}));
    EXPECT_EQ(
        short_class_names(ConfigKind::optimizer),
        (std::vector<std::string>{"GridSearchOptimizer", "ManualOptimizer", "MlosCoreOptimizer",
                                  "MockOptimizer", "OneShotOptimizer", "TpeOptimizer"}));
    EXPECT_TRUE(short_class_names(ConfigKind::globals).empty());
    for (const auto kind : k_class_kinds) {
        for (const auto& name : all_class_names(kind)) {
            EXPECT_TRUE(canonical_class_name(kind, name)) << name;
        }
    }
}

TEST(ClassNames, StorageDrivers)
{
    for (const char* driver : {"sqlite", "postgresql", "postgresql+psycopg2", "sqlite+pysqlite"}) {
        EXPECT_TRUE(is_supported_storage_driver(driver)) << driver;
    }
    for (const char* driver : {"duckdb", "mysql+mysqlconnector", "postgres", "postgresql+", "",
                               "sqlite3", "postgresql+a b"}) {
        EXPECT_FALSE(is_supported_storage_driver(driver)) << driver;
    }
}

// The `class` enums of config/schemas/ and the table behind canonical_class_name() must
// list the same names: the schema's top-level list holds every spelling, and each `if`
// branch of the class dispatch holds exactly the spellings of one class.
void collect_class_branches(const Json& node, std::vector<std::vector<std::string>>& branches)
{
    if (node.is_object()) {
        if (node.contains("if") && node["if"].contains("properties") &&
            node["if"]["properties"].contains("class")) {
            branches.push_back(
                node["if"]["properties"]["class"]["enum"].get<std::vector<std::string>>());
        }
        for (const auto& [key, value] : node.items()) {
            collect_class_branches(value, branches);
        }
    } else if (node.is_array()) {
        for (const auto& item : node) {
            collect_class_branches(item, branches);
        }
    }
}

const Json* find_class_enum(const Json& node)
{
    if (node.is_object()) {
        if (node.contains("class") && node["class"].is_object() && node["class"].contains("enum") &&
            node["class"].contains("type")) {
            return &node["class"]["enum"];
        }
        for (const auto& [key, value] : node.items()) {
            if (const Json* found = find_class_enum(value)) {
                return found;
            }
        }
    }
    return nullptr;
}

TEST(ClassNames, AgreeWithTheSchemas)
{
    const std::vector<std::pair<ConfigKind, std::string>> files = {
        {ConfigKind::environment, "environments/environment-schema.json"},
        {ConfigKind::service, "services/service-schema.json"},
        {ConfigKind::optimizer, "optimizers/optimizer-schema.json"},
        {ConfigKind::scheduler, "schedulers/scheduler-schema.json"},
        {ConfigKind::storage, "storage/storage-schema.json"},
    };
    for (const auto& [kind, file] : files) {
        SCOPED_TRACE(file);
        const Json schema =
            Json::parse(read_file(tests_dir().parent_path() / "config" / "schemas" / file));
        const auto all = all_class_names(kind);
        const Json* listed = find_class_enum(schema);
        ASSERT_NE(listed, nullptr);
        EXPECT_EQ(listed->get<std::set<std::string>>(),
                  std::set<std::string>(all.begin(), all.end()));

        std::vector<std::vector<std::string>> branches;
        collect_class_branches(schema, branches);
        std::set<std::string> dispatched;
        for (const auto& branch : branches) {
            ASSERT_FALSE(branch.empty());
            const auto short_name = canonical_class_name(kind, branch.front());
            ASSERT_TRUE(short_name) << branch.front();
            std::set<std::string> expected;
            for (const auto& name : all) {
                if (canonical_class_name(kind, name) == short_name) {
                    expected.insert(name);
                }
            }
            EXPECT_EQ(std::set<std::string>(branch.begin(), branch.end()), expected);
            EXPECT_TRUE(dispatched.insert(*short_name).second)
                << "two branches for " << *short_name;
        }
        const auto shorts = short_class_names(kind);
        EXPECT_EQ(dispatched, std::set<std::string>(shorts.begin(), shorts.end()));
    }
}

} // namespace
