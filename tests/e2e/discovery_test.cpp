// Finding one's way: mlosbench alone, a mistyped command, global flags before the command,
// and `list`, which must show every class the schemas accept in every spelling.
#include "mlosbench/config/class_names.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace mlosbench::testing;
using mlosbench::ConfigKind;

TEST(Discovery, NoArgumentsPrintsAShortUsageAndExits2)
{
    const auto r = run_mlosbench({});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("Usage: mlosbench [run] --environment ENV", 0), 0U) << r.err;
    for (const char* command : {"run", "validate", "show", "metrics", "post-metric", "export",
                                "plot", "report", "delete", "list"}) {
        EXPECT_NE(r.err.find("\n  " + std::string(command) + " "), std::string::npos) << command;
    }
    EXPECT_LT(std::count(r.err.begin(), r.err.end(), '\n'), 20) << r.err;
}

TEST(Discovery, AMistypedCommandGetsDidYouMean)
{
    const auto r = run_mlosbench({"shw", "my-exp"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: unknown command 'shw' (did you mean 'show'?); "
                     "'mlosbench --help' lists the commands\n");
    const auto far = run_mlosbench({"frobnicate"});
    EXPECT_EQ(far.exit_code, 2);
    EXPECT_EQ(far.err, "mlosbench: error: unknown command 'frobnicate'; 'mlosbench --help' "
                       "lists the commands\n");
}

TEST(Discovery, GlobalFlagsMayComeBeforeTheCommand)
{
    TempDir dir;
    const std::string mock = (tests_dir().parent_path() / "config/examples/mock/cli.jsonc").string();
    // Before `run` too, and --key=value.
    const auto ran = run_mlosbench({"--storage=r.db", "run", "--config", mock,
                                    "--max-suggestions", "2"},
                                   dir.path());
    ASSERT_EQ(ran.exit_code, 0) << ran.err;
    ASSERT_TRUE(fs::exists(dir.path() / "r.db"));
    const auto after = run_mlosbench({"show", "mock-example", "--storage", "r.db", "--json"},
                                     dir.path());
    ASSERT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(nlohmann::json::parse(after.out)["trials"].size(), 2U);
    const auto before = run_mlosbench({"--storage", "r.db", "--json", "show", "mock-example"},
                                      dir.path());
    EXPECT_EQ(before.exit_code, 0) << before.err;
    EXPECT_EQ(before.out, after.out);
    // A global flag the command does not take is refused by the command, named.
    const auto refused = run_mlosbench({"--log-file", "x.log", "show"}, dir.path());
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("--log-file"), std::string::npos) << refused.err;
}

TEST(Discovery, ListShowsEveryClassWithItsMlosBenchSpellings)
{
    const auto r = run_mlosbench({"list", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = nlohmann::json::parse(r.out);
    std::map<std::string, std::set<std::string>> listed; // kind -> every spelling
    for (const auto& row : rows) {
        EXPECT_FALSE(row["description"].get<std::string>().empty()) << row.dump();
        auto& names = listed[row["kind"].get<std::string>()];
        names.insert(row["class"].get<std::string>());
        for (const auto& alias : row["mlos_bench"]) {
            names.insert(alias.get<std::string>());
        }
    }
    const std::map<std::string, ConfigKind> kinds = {{"environments", ConfigKind::environment},
                                                     {"services", ConfigKind::service},
                                                     {"optimizers", ConfigKind::optimizer},
                                                     {"schedulers", ConfigKind::scheduler},
                                                     {"storage", ConfigKind::storage}};
    EXPECT_EQ(listed.size(), kinds.size());
    for (const auto& [word, kind] : kinds) {
        const auto all = mlosbench::all_class_names(kind);
        EXPECT_EQ(listed[word], std::set<std::string>(all.begin(), all.end())) << word;
    }
}

TEST(Discovery, ListOneKindAsText)
{
    const auto r = run_mlosbench({"list", "environment"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("environments\n  CompositeEnv ", 0), 0U) << r.out;
    EXPECT_NE(r.out.find("\n  LocalEnv                  setup/run/teardown lines through "
                         "/bin/sh on this machine"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("also mlos_bench.environments.local.local_env.LocalEnv\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("\noptimizers\n"), std::string::npos) << r.out;
    const auto bad = run_mlosbench({"list", "optimisers"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_EQ(bad.err, "mlosbench: error: KIND: unknown kind 'optimisers' (did you mean "
                       "'optimizers'?) (expected environments, services, optimizers, "
                       "schedulers, storage)\n");
}
