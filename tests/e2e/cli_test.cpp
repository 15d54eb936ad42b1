// The built mlosbench binary, run as a user would: exit codes, stdout, stderr.
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

namespace fs = std::filesystem;
using mlosbench::testing::nested_json;
using mlosbench::testing::run_mlosbench;
using mlosbench::testing::TempDir;
using mlosbench::testing::tests_dir;

namespace {

std::string examples_dir() { return (tests_dir().parent_path() / "config" / "examples").string(); }

} // namespace

TEST(Cli, HelpExplainsEveryFlagAndExitsZero)
{
    const auto r = run_mlosbench({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* flag : {"--environment", "--globals", "--config-path", "--service",
                             "--optimizer", "--scheduler", "--storage", "--tunable-values",
                             "--trial-config-repeat-count", "--num-trial-runners",
                             "--random-init", "--random-seed", "--experiment-id", "--no-teardown",
                             "--log-file", "--log-level", "--create-update-storage-schema-only",
                             "--max-failed-share", "--max-consecutive-failures", "--json"}) {
        EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
    }
    // Every command is listed on a line of its own, and explains itself.
    for (const char* command : {"run", "validate", "show", "metrics", "post-metric", "export",
                                "plot", "report", "delete", "list"}) {
        EXPECT_NE(r.out.find("\n  " + std::string(command) + " "), std::string::npos) << command;
        const auto help = run_mlosbench({command, "--help"});
        EXPECT_EQ(help.exit_code, 0) << command;
        EXPECT_NE(help.out.find("Usage:"), std::string::npos) << command << ": " << help.out;
    }
}

TEST(Cli, VersionExitsZero)
{
    const auto r = run_mlosbench({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.rfind("mlosbench ", 0), 0U);
}

TEST(Cli, UnknownFlagValueIsAUsageError)
{
    const auto r = run_mlosbench({"--num-trial-runners", "zero", "--environment", "x.jsonc"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("mlosbench: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--num-trial-runners"), std::string::npos) << r.err;
}

TEST(Cli, MissingEnvironmentIsAUsageError)
{
    const auto r = run_mlosbench({"validate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: --environment: no environment given: pass "
                     "--environment FILE or set 'environment' in the --config file\n");
}

TEST(Cli, BothFlagSpellingsAreAccepted)
{
    const std::string env = examples_dir() + "/mock/mock_env.jsonc";
    for (const char* flag : {"--num-trial-runners", "--num_trial_runners"}) {
        const auto r = run_mlosbench({"validate", "--environment", env, flag, "3"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("num_trial_runners 3"), std::string::npos) << r.out;
    }
}

TEST(Cli, NoPrefixAbbreviation)
{
    const std::string env = examples_dir() + "/mock/mock_env.jsonc";
    // --trial-config is not --trial-config-repeat-count: it is an unknown global (and unused).
    const auto r = run_mlosbench({"validate", "--environment", env, "--trial-config", "3"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("trial_config_repeat_count 1"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("parameters that no config uses (a typo?): trial_config"),
              std::string::npos)
        << r.err;
}

TEST(Cli, ValidatePrintsParametersWithSourcesAndMasksSecrets)
{
    TempDir dir;
    dir.write("g.jsonc", R"({"experiment_id": "e1", "db_password": "hunter2", "region": "west"})");
    dir.write("env.jsonc", R"({"name": "app", "class": "LocalEnv", "config": {
        "const_args": {"region": "east", "db_password": "", "threads": 4},
        "run": ["true"]}})");
    const auto r = run_mlosbench({"validate", "--environment", "env.jsonc", "--globals", "g.jsonc",
                                  "--threads", "8"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string root = dir.path().string();
    EXPECT_NE(r.out.find("environment 'app' (LocalEnv) " + root + "/env.jsonc\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  region          = \"west\"  [" + root + "/g.jsonc]\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  db_password     = ******  [" + root + "/g.jsonc]\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  threads         = 8  [--threads]\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
}

TEST(Cli, ValidateSchemaOnlyReportsEveryBadFile)
{
    TempDir dir;
    dir.write("good.jsonc", R"({"g": {"cost": 1, "params": {"x": {"type": "int",
        "range": [1, 2], "default": 1}}}})");
    dir.write("bad.jsonc", R"({"name": "e", "class": "LocalEnv", "config": {"run": 5}})");
    const auto r = run_mlosbench({"validate", "--schema-only", "--kind", "tunable-params",
                                  "good.jsonc"},
                                 dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "good.jsonc: ok (tunable-params)\n");
    const auto bad = run_mlosbench({"validate", "--schema-only", "bad.jsonc"}, dir.path());
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("mlosbench: error: bad.jsonc: /config/run: "), std::string::npos)
        << bad.err;
}

TEST(Cli, ValidatesTheShippedExamples)
{
    for (const char* args :
         {"mock/mock_env.jsonc", "quickstart/environment.jsonc", "remote/environment.jsonc"}) {
        const auto r = run_mlosbench({"validate", "--environment", examples_dir() + "/" + args});
        EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    }
    const auto r = run_mlosbench({"validate", "--config", examples_dir() + "/quickstart/cli.jsonc"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("optimizer TpeOptimizer"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("experiment 'quickstart'"), std::string::npos) << r.out;
    const auto remote =
        run_mlosbench({"validate", "--config", examples_dir() + "/remote/cli.jsonc"});
    EXPECT_EQ(remote.exit_code, 0) << remote.err;
    EXPECT_NE(remote.out.find("environment 'benchmark' (RemoteEnv)"), std::string::npos)
        << remote.out;
}


TEST(Cli, EveryShippedConfigMatchesItsSchema)
{
    const fs::path config = tests_dir().parent_path() / "config";
    std::vector<std::string> args = {"validate", "--schema-only"};
    for (const auto& entry : fs::recursive_directory_iterator(config)) {
        const auto relative = entry.path().lexically_relative(config).string();
        if (entry.path().extension() == ".jsonc" && relative.rfind("schemas/", 0) != 0) {
            args.push_back(entry.path().string());
        }
    }
    // The built-in configs that mlos_bench's environments name are there.
    for (const char* builtin :
         {"services/local/local_exec_service.jsonc", "services/remote/ssh/ssh_host_service.jsonc",
          "services/remote/ssh/ssh_fileshare_service.jsonc", "optimizers/one_shot_opt.jsonc",
          "optimizers/mock_opt.jsonc", "schedulers/sync_scheduler.jsonc", "storage/sqlite.jsonc",
          "storage/in-memory.jsonc"}) {
        EXPECT_TRUE(fs::is_regular_file(config / builtin)) << builtin;
    }
    ASSERT_GT(args.size(), 20U);
    const auto r = run_mlosbench(args);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
}

TEST(Cli, DeepNestingInAnyInputIsExit2NamingWhere)
{
    TempDir dir;
    const std::string env = examples_dir() + "/mock/mock_env.jsonc";
    const auto globals = dir.write("g.jsonc", "{\"a\": " + nested_json(50'000, "[", "]") + "}");
    auto r = run_mlosbench({"validate", "--environment", env, "--globals", globals.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: " + globals.string() +
                         ":1:262: arrays and objects nested deeper than 256 levels\n");

    const auto values =
        dir.write("v.jsonc", "{\n\"x\": " + nested_json(1'000'000, "{\"x\": ", "}") + "}");
    r = run_mlosbench({"validate", "--environment", env, "--tunable-values", values.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: " + values.string() +
                         ":2:1536: arrays and objects nested deeper than 256 levels\n");

    r = run_mlosbench({"validate", "--environment",
                       R"({"name": "e", "class": "MockEnv", "config": {"const_args": {"a": )" +
                           nested_json(50'000, "[", "]") + "}}}"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: inline JSON of --environment:1:319: arrays and objects "
                     "nested deeper than 256 levels\n");
}

TEST(Cli, AConfigThatIsNotARegularFileIsExit2WithoutWaiting)
{
    // A FIFO with no writer would block a plain open() forever; /dev/zero would fill memory.
    TempDir dir;
    const fs::path fifo = dir.path() / "g.jsonc";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string env = examples_dir() + "/mock/mock_env.jsonc";
    auto r = run_mlosbench({"validate", "--environment", env, "--globals", fifo.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: " + fifo.string() +
                         ": cannot read config file: a FIFO, not a regular file\n");

    r = run_mlosbench({"run", "--environment", "/dev/zero"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: /dev/zero: cannot read config file: a character device, "
                     "not a regular file\n");

    // An included file, through a symlink.
    fs::create_symlink("/dev/zero", dir.path() / "t.jsonc");
    const auto including = dir.write("e.jsonc", R"({"name": "e", "class": "MockEnv",
        "include_tunables": ["t.jsonc"]})");
    r = run_mlosbench({"validate", "--environment", including.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("t.jsonc: cannot read config file: a character device, not a regular "
                         "file\n"),
              std::string::npos)
        << r.err;
}

TEST(Cli, AnEmptyExperimentIdIsAUsageError)
{
    const std::string env = examples_dir() + "/mock/mock_env.jsonc";
    const auto r = run_mlosbench({"validate", "--environment", env, "--experiment-id", ""});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "mlosbench: error: --experiment-id: expected an experiment id, got ''\n");
}
