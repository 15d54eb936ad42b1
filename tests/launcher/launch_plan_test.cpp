#include "mlosbench/launcher/launch_plan.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

using namespace mlosbench;
using mlosbench::testing::TempDir;

namespace {

// The worked example of mlos_bench's environments documentation (seed 004).
const char* const k_globals = R"({
    "experiment_id": "test_experiment",

    "const_arg_from_globals_1": "Substituted from globals - 1",
    "const_arg_from_globals_2": "Substituted from globals - 2",

    "const_arg_from_cli_1": "Will be overridden from CLI",

    // Define reference names to represent tunable groups in the Environment configs.
    "tunable_params_map": {
        "tunables_ref1": ["dummy_params_group1", "dummy_params_group2"],
        "tunables_ref2": [],  // Useful to disable all tunables for the Environment.
    }
})";

const char* const k_environment = R"({
    "class": "mlos_bench.environments.local.local_env.LocalEnv",
    "name": "test_env1",
    "include_tunables": [
        "tunables/dummy-tunables.jsonc"  // For simplicity, include all tunables available.
    ],
    "config": {
        "tunable_params": [
            "$tunables_ref1",       // Includes "dummy_params_group1", "dummy_params_group2"
            "$tunables_ref2",       // A no-op
            "dummy_params_group3"   // Can still refer to a group directly.
        ],
        "const_args": {
            // Environment-specific non-tunable constant parameters:
            "const_arg_1": "Default value of const_arg_1",
            "const_arg_from_globals_1": "To be replaced from global config",
            "const_arg_from_cli_1": "To be replaced from CLI"
        },
        "required_args": [
            // These parameters always come from elsewhere:
            "const_arg_from_globals_2",
            "const_arg_from_cli_2",
            // We already define these parameters in "const_args" section above;
            // mentioning them here is optional, but can be used for clarity:
            "const_arg_from_globals_1",
            "const_arg_from_cli_1"
        ],
        "run": [
            "echo Hello world"
        ]
    }
})";

LaunchOptions seed_example_options()
{
    LaunchOptions o;
    o.environment = k_environment;
    o.globals = {k_globals};
    o.extra_args = {{"const_arg_from_cli_1", "Substituted from CLI - 1"},
                    {"const_arg_from_cli_2", "Substituted from CLI - 2"}};
    return o;
}

std::string error_of(const LaunchOptions& o)
{
    try {
        (void)load_launch_plan(o);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(LaunchPlan, ReproducesTheDocumentedExample)
{
    const LaunchPlan plan = load_launch_plan(seed_example_options());
    const EnvironmentSpec& env = plan.root;
    EXPECT_EQ(env.name, "test_env1");
    EXPECT_EQ(env.class_name, "LocalEnv");
    EXPECT_EQ(env.params.value("const_arg_1"), "Default value of const_arg_1");
    EXPECT_EQ(env.params.value("const_arg_from_globals_1"), "Substituted from globals - 1");
    EXPECT_EQ(env.params.value("const_arg_from_globals_2"), "Substituted from globals - 2");
    EXPECT_EQ(env.params.value("const_arg_from_cli_1"), "Substituted from CLI - 1");
    EXPECT_EQ(env.params.value("const_arg_from_cli_2"), "Substituted from CLI - 2");
    EXPECT_EQ(env.params.value("experiment_id"), "test_experiment");
    EXPECT_EQ(env.params.value("trial_id"), 1);
    EXPECT_EQ(env.tunable_params, (std::vector<std::string>{"dummy_params_group1",
                                                             "dummy_params_group2",
                                                             "dummy_params_group3"}));
    TunableValues expected = {{"dummy_param", std::string("dummy")},
                              {"dummy_param_int", std::int64_t{0}},
                              {"dummy_param_float", 0.5},
                              {"dummy_param3", 0.0}};
    EXPECT_EQ(plan.tunables.values(), expected);
}

TEST(LaunchPlan, RecordsWhereEachValueCameFrom)
{
    const LaunchPlan plan = load_launch_plan(seed_example_options());
    const Parameters& p = plan.root.params;
    EXPECT_EQ(p.find("const_arg_1")->source.rfind("const_args of ", 0), 0U);
    EXPECT_EQ(p.find("const_arg_from_globals_1")->source, "inline JSON of --globals");
    EXPECT_EQ(p.find("const_arg_from_cli_1")->source, "--const_arg_from_cli_1");
    EXPECT_EQ(p.find("trial_runner_id")->source, "set for each trial");
}

TEST(LaunchPlan, PrecedenceOfLayers)
{
    TempDir dir;
    const auto g1 = dir.write("g1.jsonc", R"({"a": "g1", "b": "g1", "c": "g1", "d": "g1"})");
    const auto g2 = dir.write("g2.jsonc", R"({"b": "g2", "c": "g2", "d": "g2"})");
    const auto cli = dir.write("cli.jsonc", R"({"globals": ["g1.jsonc"],
        "experiment_id": "from-cli-file", "trial_config_repeat_count": 2})");
    const auto env = dir.write("env.jsonc", R"({"name": "e", "class": "MockEnv", "config": {
        "const_args": {"a": "env", "b": "env", "c": "env", "d": "env", "e": "env"}}})");
    LaunchOptions o;
    o.config = cli.string();
    o.environment = env.string();
    o.globals = {g2.string()};
    o.extra_args = {{"c", "cli"}, {"d", "cli"}, {"experiment-id", "ignored-for-flag"}};
    o.experiment_id = "flag";
    const LaunchPlan plan = load_launch_plan(o);
    const Parameters& p = plan.root.params;
    EXPECT_EQ(p.value("e"), "env");
    EXPECT_EQ(p.value("a"), "g1");
    EXPECT_EQ(p.value("b"), "g2");
    EXPECT_EQ(p.value("c"), "cli");
    EXPECT_EQ(p.value("d"), "cli");
    EXPECT_EQ(plan.scheduler.experiment_id, "flag");
    EXPECT_EQ(plan.scheduler.trial_config_repeat_count, 2);
}

TEST(LaunchPlan, ExpandsGlobalsInKeyOrderThenProcessEnvironment)
{
    ::setenv("MLOSBENCH_TEST_HOME", "/home/tester", 1);
    LaunchOptions o;
    o.globals = {R"({"experiment_id": "exp", "vm_name": "$experiment_id-vm",
        "disk": "${vm_name}-disk", "home": "$MLOSBENCH_TEST_HOME/x", "price": "$$5",
        "unknown": "$not_defined_anywhere"})"};
    o.environment = R"({"name": "e", "class": "MockEnv", "config": {
        "required_args": ["vm_name", "disk", "home", "price", "unknown"]}})";
    const LaunchPlan plan = load_launch_plan(o);
    const Parameters& p = plan.root.params;
    EXPECT_EQ(p.value("vm_name"), "exp-vm");
    EXPECT_EQ(p.value("disk"), "exp-vm-disk");
    EXPECT_EQ(p.value("home"), "/home/tester/x");
    EXPECT_EQ(p.value("price"), "$5");
    EXPECT_EQ(p.value("unknown"), "$not_defined_anywhere");
}

TEST(LaunchPlan, ConstArgsExpandAgainstThemselvesThenGlobalsButNotTheProcessEnvironment)
{
    ::setenv("MLOSBENCH_TEST_VAR", "from-env", 1);
    LaunchOptions o;
    o.globals = {R"({"region": "west"})"};
    o.environment = R"({"name": "e", "class": "MockEnv", "config": {"const_args": {
        "base": "/data", "path": "$base/$region", "env": "$MLOSBENCH_TEST_VAR"}}})";
    const LaunchPlan plan = load_launch_plan(o);
    EXPECT_EQ(plan.root.params.value("path"), "/data/west");
    EXPECT_EQ(plan.root.params.value("env"), "$MLOSBENCH_TEST_VAR");
}

TEST(LaunchPlan, CompositeChildrenGetParentConstArgsAndDollarNames)
{
    LaunchOptions o;
    o.globals = {R"({"shared": "from-globals"})"};
    o.environment = R"({"name": "root", "class": "CompositeEnv", "config": {
        "const_args": {"port": 5432, "shared": "parent", "only_parent": "p"},
        "children": [
            {"name": "a", "class": "MockEnv", "config": {"const_args": {
                "db_port": "$port", "shared": "child", "only_parent": "child-default"}}},
            {"name": "b", "class": "MockEnv", "config": {"required_args": ["only_parent"]}}
        ]}})";
    const LaunchPlan plan = load_launch_plan(o);
    ASSERT_EQ(plan.root.children.size(), 2U);
    const Parameters& a = plan.root.children[0].params;
    EXPECT_EQ(a.value("db_port"), 5432); // type kept
    EXPECT_EQ(a.value("shared"), "from-globals");
    EXPECT_EQ(a.value("only_parent"), "p");
    EXPECT_EQ(a.find("only_parent")->source.rfind("const_args of parent 'root'", 0), 0U);
    EXPECT_EQ(plan.root.children[1].params.value("only_parent"), "p");
}

TEST(LaunchPlan, GlobalsOverrideEnvironmentConfigKeys)
{
    LaunchOptions o;
    o.environment = R"({"name": "m", "class": "MockEnv", "config": {"mock_env_seed": 42,
        "mock_env_range": [60, 120]}})";
    o.extra_args = {{"mock_env_seed", "-1"}};
    const LaunchPlan plan = load_launch_plan(o);
    EXPECT_EQ(std::get<MockSettings>(plan.root.settings).seed, -1);
    EXPECT_TRUE(plan.unused_globals.empty());
}

TEST(LaunchPlan, UnusedGlobalsAreListed)
{
    LaunchOptions o;
    o.environment = R"({"name": "m", "class": "MockEnv"})";
    o.extra_args = {{"trial-config-repeat-cont", "3"}};
    const LaunchPlan plan = load_launch_plan(o);
    EXPECT_EQ(plan.unused_globals, std::vector<std::string>{"trial_config_repeat_cont"});
}

// Which globals count as used: what an environment reads (const_args it declares, `$name`s,
// keys of its config), the keys the launcher reads or owns (even when a flag wins, as
// --log-level), but not a trial id an environment only gets a placeholder of.
TEST(LaunchPlan, UnusedGlobalsAreExactlyThoseNothingRead)
{
    LaunchOptions o;
    o.environment = R"({"name": "m", "class": "MockEnv", "config": {"mock_env_seed": 42,
        "const_args": {"path": "$base/y", "shared": "env"}}})";
    o.log_level = "debug";
    o.extra_args = {{"trial_runner_id", "3"}, {"config_id", "-1"}, {"log_level", "info"},
                    {"log_file", "x.log"},    {"seed", "3"},       {"random_init", "false"},
                    {"unused_typo", "1"},     {"base", "/b"},      {"shared", "global"},
                    {"mock_env_seed", "7"},   {"max_trials", "2"}, {"teardown", "false"},
                    {"late_typo", "2"}};
    const LaunchPlan plan = load_launch_plan(o);
    EXPECT_EQ(plan.root.params.value("path"), "/b/y");
    EXPECT_EQ(plan.unused_globals,
              (std::vector<std::string>{"trial_runner_id", "unused_typo", "late_typo"}));
}

TEST(LaunchPlan, MissingRequiredArgFailsFast)
{
    LaunchOptions o;
    o.environment = R"({"name": "m", "class": "MockEnv", "config": {
        "required_args": ["vm_size"]}})";
    EXPECT_EQ(error_of(o), "inline JSON of --environment: /config/required_args/0: missing "
                           "required parameter 'vm_size': set it in a globals file, with "
                           "--vm_size VALUE, or in const_args");
}

TEST(LaunchPlan, UnknownTunableParamsMapReference)
{
    LaunchOptions o;
    o.globals = {R"({"tunable_params_map": {"linux": []}})"};
    o.environment = R"({"name": "m", "class": "MockEnv", "config": {
        "tunable_params": ["$linx"]}})";
    EXPECT_EQ(error_of(o), "inline JSON of --environment: /config/tunable_params/0: '$linx' is "
                           "not in tunable_params_map (inline JSON of --globals) (did you mean "
                           "'linux'?)");
}

TEST(LaunchPlan, UnknownTunableGroup)
{
    LaunchOptions o;
    o.environment = R"({"name": "m", "class": "MockEnv",
        "include_tunables": ["tunables/dummy-tunables.jsonc"],
        "config": {"tunable_params": ["dummy_params_group4"]}})";
    EXPECT_EQ(error_of(o), "inline JSON of --environment: /config/tunable_params: unknown "
                           "tunable group 'dummy_params_group4' (did you mean "
                           "'dummy_params_group1'?)");
}

TEST(LaunchPlan, MissingIncludeNamesFileAndPointer)
{
    TempDir dir;
    const auto env = dir.write("env.jsonc", R"({"name": "c", "class": "CompositeEnv",
        "config": {"include_children": ["nope/child.jsonc"]}})");
    LaunchOptions o;
    o.environment = env.string();
    const std::string error = error_of(o);
    EXPECT_EQ(error.rfind(env.string() + ": /config/include_children/0: cannot find "
                                         "'nope/child.jsonc' (looked in: ",
                          0),
              0U)
        << error;
}

TEST(LaunchPlan, IncludeCycleIsAnError)
{
    TempDir dir;
    const auto a = dir.write("a.jsonc", R"({"name": "a", "class": "CompositeEnv",
        "config": {"include_children": ["b.jsonc"]}})");
    const auto b = dir.write("b.jsonc", R"({"name": "b", "class": "CompositeEnv",
        "config": {"include_children": ["a.jsonc"]}})");
    LaunchOptions o;
    o.environment = a.string();
    const std::string error = error_of(o);
    EXPECT_NE(error.find(b.string() + ": /config/include_children/0: include cycle: "), std::string::npos)
        << error;
}

TEST(LaunchPlan, RelativePathsResolveAgainstTheNamingFileFirst)
{
    TempDir dir;
    dir.write("configs/tunables/mine.jsonc", R"({"g": {"cost": 1, "params": {
        "x": {"type": "int", "range": [1, 9], "default": 3}}}})");
    const auto env = dir.write("configs/env.jsonc", R"({"name": "e", "class": "MockEnv",
        "include_tunables": ["tunables/mine.jsonc"], "config": {"tunable_params": ["g"]}})");
    LaunchOptions o;
    o.environment = env.string();
    const LaunchPlan plan = load_launch_plan(o);
    EXPECT_EQ(plan.tunables.values().at("x"), TunableValue(std::int64_t{3}));
}

TEST(LaunchPlan, TunableValuesFilesApplyInOrderAndEmptyResets)
{
    LaunchOptions o;
    o.environment = R"({"name": "e", "class": "MockEnv",
        "include_tunables": ["tunables/dummy-tunables.jsonc"],
        "config": {"tunable_params": ["dummy_params_group2"]}})";
    o.tunable_values = {R"({"dummy_param_int": 7})", R"({"dummy_param_float": 0.25})"};
    LaunchPlan plan = load_launch_plan(o);
    EXPECT_EQ(plan.tunables.values().at("dummy_param_int"), TunableValue(std::int64_t{7}));
    EXPECT_EQ(plan.tunables.values().at("dummy_param_float"), TunableValue(0.25));
    EXPECT_EQ(plan.tunable_sources.at("dummy_param_int"), "inline JSON of --tunable-values");
    o.tunable_values.push_back("{}");
    plan = load_launch_plan(o);
    EXPECT_EQ(plan.tunables.values(), plan.tunables.defaults());
}

TEST(LaunchPlan, RandomInitIsSeeded)
{
    LaunchOptions o;
    o.environment = R"({"name": "e", "class": "MockEnv",
        "include_tunables": ["tunables/dummy-tunables.jsonc"],
        "config": {"tunable_params": ["dummy_params_group2"]}})";
    o.random_init = true;
    o.random_seed = 5;
    const auto a = load_launch_plan(o).tunables.values();
    const auto b = load_launch_plan(o).tunables.values();
    EXPECT_EQ(a, b);
    o.random_seed = 6;
    EXPECT_NE(load_launch_plan(o).tunables.values(), a);
    EXPECT_EQ(load_launch_plan(o).optimizer.seed, 6); // --random-seed seeds the optimizer too
}

TEST(LaunchPlan, OptimizerTakesWellKnownKeysFromGlobals)
{
    LaunchOptions o;
    o.environment = R"({"name": "e", "class": "MockEnv"})";
    o.optimizer = R"({"class": "mlos_bench.optimizers.MockOptimizer",
        "config": {"max_suggestions": 10, "seed": 3}})";
    o.extra_args = {{"max-suggestions", "3"}};
    o.globals = {R"({"optimization_targets": {"latency": "min", "throughput": "max"}})"};
    const LaunchPlan plan = load_launch_plan(o);
    EXPECT_EQ(plan.optimizer.class_name, "MockOptimizer");
    EXPECT_EQ(plan.optimizer.max_suggestions, 3);
    EXPECT_EQ(plan.optimizer.seed, 3);
    ASSERT_EQ(plan.optimizer.targets.size(), 2U);
    EXPECT_EQ(plan.optimizer.targets[1], (std::pair<std::string, std::string>{"throughput",
                                                                                "max"}));
}

TEST(LaunchPlan, NoTeardownIsAlwaysHonoured)
{
    LaunchOptions o;
    o.environment = R"({"name": "e", "class": "MockEnv"})";
    o.scheduler = R"({"class": "mlos_bench.schedulers.SyncScheduler",
        "config": {"teardown": true, "trial_config_repeat_count": 3}})";
    o.no_teardown = true;
    const LaunchPlan plan = load_launch_plan(o);
    EXPECT_FALSE(plan.scheduler.teardown);
    EXPECT_EQ(plan.scheduler.trial_config_repeat_count, 3);
}

TEST(LaunchPlan, StoragePaths)
{
    TempDir dir;
    const auto st = dir.write("st/sqlite.jsonc", R"({"class": "mlos_bench.storage.sql.storage.SqlStorage",
        "resolve_config_property_paths": ["database"],
        "config": {"drivername": "sqlite", "database": "results.db"}})");
    LaunchOptions o;
    o.environment = R"({"name": "e", "class": "MockEnv"})";
    o.storage = st.string();
    EXPECT_EQ(load_launch_plan(o).storage.database, (dir.path() / "st" / "results.db").string());
    o.storage = "out/x.sqlite";
    EXPECT_EQ(load_launch_plan(o).storage.database,
              (std::filesystem::current_path() / "out" / "x.sqlite").string());
}

TEST(LaunchPlan, ExtraArgsParsing)
{
    EXPECT_EQ(parse_extra_args({"--a", "1", "--b=x=y", "--c", "-1"}),
              (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "x=y"},
                                                                {"c", "-1"}}));
    try {
        (void)parse_extra_args({"--a", "--b", "x"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "--a: expected a value after --a");
    }
    try {
        (void)parse_extra_args({"stray"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "unexpected argument 'stray': extra arguments must be --key value pairs");
    }
}

namespace {

// A chain of composites n0 -> n1 -> ... -> n{depth}, each including the next twice, by two
// spellings: 2^depth leaves from depth + 1 files.
void write_diamond(const TempDir& dir, int depth)
{
    for (int i = 0; i < depth; ++i) {
        const std::string next = "n" + std::to_string(i + 1) + ".jsonc";
        dir.write("n" + std::to_string(i) + ".jsonc",
                  R"({"name": "n)" + std::to_string(i) +
                      R"(", "class": "CompositeEnv", "config": {"include_children": [")" + next +
                      R"(", "./)" + next + R"("]}})");
    }
    dir.write("n" + std::to_string(depth) + ".jsonc", R"({"name": "leaf", "class": "MockEnv"})");
}

} // namespace

TEST(LaunchPlan, AFileIncludedByTwoSpellingsIsReadOnce)
{
    TempDir dir;
    write_diamond(dir, 5);
    LaunchOptions o;
    o.environment = (dir.path() / "n0.jsonc").string();
    const LaunchPlan plan = load_launch_plan(o);
    int leaves = 0;
    plan.root.walk([&](const EnvironmentSpec& env, int) { leaves += env.name == "leaf" ? 1 : 0; });
    EXPECT_EQ(leaves, 32);
    EXPECT_EQ(plan.loader.files_read(), 6U);
}

TEST(LaunchPlan, AnIncludeGraphOfExponentialSizeIsRefused)
{
    TempDir dir;
    write_diamond(dir, 30); // 2^30 environments if it were built
    LaunchOptions o;
    o.environment = (dir.path() / "n0.jsonc").string();
    const std::string error = error_of(o);
    EXPECT_NE(error.find(": the environment tree has more than 10000 environments: do "
                         "include_children name the same files many times?"),
              std::string::npos)
        << error;
}

TEST(LaunchPlan, SizesBeyondTheLimitsAreRefused)
{
    TempDir dir;
    const auto env = dir.write("env.jsonc", R"({"name": "e", "class": "MockEnv"})");
    LaunchOptions o;
    o.environment = env.string();
    o.globals = {dir.write("g.jsonc", R"({"num_trial_runners": 100000})").string()};
    EXPECT_EQ(error_of(o), (dir.path() / "g.jsonc").string() +
                               ": num_trial_runners: expected an integer from 1 to 1024, got "
                               "100000");
    o.globals = {};
    o.scheduler = dir.write("s.jsonc", R"({"class": "mlos_bench.schedulers.SyncScheduler",
        "config": {"trial_config_repeat_count": 1000000000000}})")
                      .string();
    EXPECT_EQ(error_of(o), *o.scheduler + ": /config/trial_config_repeat_count: expected an "
                                          "integer from 1 to 10000, got 1000000000000");
    o.scheduler.reset();
    o.extra_args = {{"max-trials", "-1"}};
    EXPECT_EQ(error_of(o), "--max-trials: max_trials: expected an integer >= 1, got -1");
    o.extra_args = {{"experiment_id", ""}};
    EXPECT_EQ(error_of(o), "--experiment_id: experiment_id: expected an experiment id, got ''");
}

TEST(LaunchPlan, TimeoutsBeyondAYearAreRefusedWhereverTheyComeFrom)
{
    TempDir dir;
    const auto env = dir.write("env.jsonc", R"({"name": "e", "class": "LocalEnv",
        "config": {"run": ["true"], "timeout": 5}})");
    LaunchOptions o;
    o.environment = env.string();
    EXPECT_EQ(error_of(o), "no error");
    // A global replaces the env's timeout after the schema checked it.
    o.extra_args = {{"timeout", "1e10"}};
    EXPECT_EQ(error_of(o), env.string() + ": /config/timeout: expected a number of seconds above "
                                          "0 up to 31536000 (365 days), got 10000000000");
    o.extra_args = {{"timeout", "soon"}};
    EXPECT_EQ(error_of(o), env.string() + ": /config/timeout: expected a number of seconds above "
                                          "0 up to 31536000 (365 days), got \"soon\"");
    o.extra_args = {};
    o.services = {dir.write("svc.jsonc", R"({"class": "LocalExecService",
        "config": {"timeout": 1}})")
                      .string()};
    o.extra_args = {{"timeout", "1e10"}};
    const std::string error = error_of(o);
    EXPECT_EQ(error, o.services[0] + ": /config/timeout: expected a number of seconds above 0 "
                                     "up to 31536000 (365 days), got 10000000000");
}

TEST(LaunchPlan, ScriptEnvsNameExistingParametersAndScripts)
{
    TempDir dir;
    dir.write("bin/bench.sh", "#!/bin/sh\n");
    const auto write_env = [&](const std::string& config) {
        return dir
            .write("env.jsonc", R"({"name": "e", "class": "LocalEnv", "config": {)" + config + "}}")
            .string();
    };
    LaunchOptions o;
    // A script relative to the config, a plain command for PATH, a line left to the shell.
    o.environment = write_env(R"("const_args": {"x": 1}, "shell_env_params": ["x", "trial_id"],
        "setup": ["bin/bench.sh --init", "echo hi", "$HOME/x.sh", "A=1 ./nothing.sh"],
        "run": ["./bin/bench.sh"])");
    EXPECT_EQ(error_of(o), "no error");
    o.environment = write_env(R"("const_args": {"threads": 1}, "shell_env_params": ["thread"],
        "run": ["true"])");
    EXPECT_EQ(error_of(o), *o.environment +
                               ": /config/shell_env_params/0: 'thread' names no parameter of "
                               "this environment (declare it in const_args or required_args, or "
                               "include its tunable) (did you mean 'threads'?)");
    o.environment = write_env(R"("run": ["echo start", "scripts/run.py --fast"])");
    const std::string error = error_of(o);
    EXPECT_EQ(error.rfind(*o.environment +
                              ": /config/run/1: script 'scripts/run.py' not found "
                              "(looked in: " +
                              dir.path().string() + ", ",
                          0),
              0U)
        << error;
    o.environment = write_env(R"("teardown": ["/nonexistent/stop.sh"])");
    EXPECT_EQ(error_of(o),
              *o.environment + ": /config/teardown/0: script '/nonexistent/stop.sh' not found");
}

TEST(LaunchPlan, LogScaleNeedsARangeAboveZero)
{
    TempDir dir;
    dir.write("t.jsonc", R"({"g": {"cost": 1, "params": {
        "size": {"type": "int", "range": [0, 1024], "default": 16, "log": true}}}})");
    LaunchOptions o;
    o.environment = dir.write("env.jsonc", R"({"name": "e", "class": "MockEnv",
        "include_tunables": ["t.jsonc"], "config": {"tunable_params": ["g"]}})")
                        .string();
    EXPECT_EQ(error_of(o), (dir.path() / "t.jsonc").string() +
                               ": /g/params/size/range: a log-scale tunable needs a range above "
                               "0 (log of 0 or of a negative number is undefined), got [0, 1024]");
}
