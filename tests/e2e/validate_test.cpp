// `mlosbench validate` as a dry run: every line as it will run, with its script found, the
// variables its shell gets, the same as JSON; and the mistakes it stops before anything runs.
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

/// env.jsonc in `dir` with `config` (members of its config object) and tunables x (int).
void write_env(const TempDir& dir, const std::string& config)
{
    dir.write("tunables.jsonc", R"({"g": {"cost": 1, "params": {
        "x": {"type": "int", "range": [1, 9], "default": 3}}}})");
    dir.write("env.jsonc", R"({"name": "bench", "class": "LocalEnv",
        "include_tunables": ["tunables.jsonc"],
        "config": {"tunable_params": ["g"], )" + config + "}}");
}

const char* const k_config = R"(
    "const_args": {"threads": 4, "db_password": "hunter2"},
    "shell_env_params": ["x", "threads", "db_password"],
    "shell_env_params_rename": {"BENCH_THREADS": "threads"},
    "setup": ["scripts/prepare.sh --size 10"],
    "run": ["load.py --threads $threads", "echo \"x=$x\" > out.txt"],
    "teardown": ["rm -f out.txt"])";

} // namespace

TEST(Validate, PrintsEachLineAsItWillRunAndTheShellsVariables)
{
    TempDir dir;
    write_env(dir, k_config);
    dir.write("scripts/prepare.sh", "#!/bin/sh\n");
    dir.write("load.py", "print(1)\n");
    const auto r = run_mlosbench({"validate", "--environment", "env.jsonc"}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string root = dir.path().string();
    EXPECT_NE(r.out.find("  setup (on this machine):\n"
                         "    $ '" + root + "/scripts/prepare.sh' --size 10\n"
                         "  run (on this machine):\n"
                         "    $ python3 '" + root + "/load.py' --threads $threads\n"
                         "    $ echo \"x=$x\" > out.txt\n"
                         "  teardown (on this machine):\n"
                         "    $ rm -f out.txt\n"
                         "  shell environment:\n"
                         "    x=3\n"
                         "    threads=4\n"
                         "    db_password=******\n"
                         "    BENCH_THREADS=4\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
}

TEST(Validate, JsonHoldsTheSamePlan)
{
    TempDir dir;
    write_env(dir, k_config);
    dir.write("scripts/prepare.sh", "#!/bin/sh\n");
    dir.write("load.py", "print(1)\n");
    const auto r = run_mlosbench({"validate", "--environment", "env.jsonc", "--json",
                                  "--threads", "8"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["environments"].size(), 1U);
    const auto& env = doc["environments"][0];
    EXPECT_EQ(env["name"], "bench");
    EXPECT_EQ(env["class"], "LocalEnv");
    EXPECT_EQ(env["file"], (dir.path() / "env.jsonc").string());
    const auto& scripts = env["scripts"];
    EXPECT_EQ(scripts["runs_on"], "this machine");
    EXPECT_EQ(scripts["setup"][0], "'" + dir.path().string() + "/scripts/prepare.sh' --size 10");
    EXPECT_EQ(scripts["run"][0], "python3 '" + dir.path().string() + "/load.py' --threads $threads");
    EXPECT_EQ(scripts["shell_env"],
              nlohmann::json({{"x", 3}, {"threads", 8}, {"db_password", "******"},
                              {"BENCH_THREADS", 8}}));
    const auto threads = std::find_if(env["parameters"].begin(), env["parameters"].end(),
                                      [](const auto& p) { return p["name"] == "threads"; });
    ASSERT_NE(threads, env["parameters"].end());
    EXPECT_EQ((*threads)["value"], 8);
    EXPECT_EQ((*threads)["source"], "--threads");
    EXPECT_EQ(env["tunables"][0], nlohmann::json({{"name", "x"}, {"value", 3},
                                                  {"source", "default"}}));
    EXPECT_EQ(doc["optimizer"]["class"], "OneShotOptimizer");
    EXPECT_EQ(doc["scheduler"]["experiment_id"], "bench");
    EXPECT_EQ(doc["storage"]["location"], (dir.path() / "mlosbench.db").string());
}

TEST(Validate, AMissingScriptIsExit2NamingTheLine)
{
    TempDir dir;
    write_env(dir, R"("run": ["true", "scripts/missing.sh --fast"])");
    const auto r = run_mlosbench({"validate", "--environment", "env.jsonc"}, dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("mlosbench: error: " + (dir.path() / "env.jsonc").string() +
                              ": /config/run/1: script 'scripts/missing.sh' not found (looked "
                              "in: " + dir.path().string(),
                          0),
              0U)
        << r.err;
}

TEST(Validate, AShellEnvParamThatIsNoParameterIsExit2)
{
    TempDir dir;
    write_env(dir, R"("const_args": {"threads": 4}, "shell_env_params": ["x", "thread"],
        "run": ["true"])");
    const auto r = run_mlosbench({"validate", "--environment", "env.jsonc", "--json"},
                                 dir.path());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "mlosbench: error: " + (dir.path() / "env.jsonc").string() +
                         ": /config/shell_env_params/1: 'thread' names no parameter of this "
                         "environment (declare it in const_args or required_args, or include "
                         "its tunable) (did you mean 'threads'?)\n");
}

TEST(Validate, EachCommandsHelpListsOnlyItsOwnFlags)
{
    const auto validate = run_mlosbench({"validate", "--help"});
    ASSERT_EQ(validate.exit_code, 0);
    for (const char* flag : {"--environment", "--globals", "--json", "--schema-only"}) {
        EXPECT_NE(validate.out.find(flag), std::string::npos) << flag;
    }
    for (const char* flag : {"--max-failed-share", "--max-consecutive-failures", "--join",
                             "--total-trials", "--lease-timeout", "--keep-temp", "--force",
                             "--create-update-storage-schema-only"}) {
        EXPECT_EQ(validate.out.find(flag), std::string::npos) << flag << "\n" << validate.out;
    }
    const auto run = run_mlosbench({"run", "--help"});
    for (const char* flag : {"--max-failed-share", "--join", "--total-trials", "--keep-temp"}) {
        EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
    }
    const auto show = run_mlosbench({"show", "--help"});
    for (const char* flag : {"--environment", "--globals", "--max-failed-share"}) {
        EXPECT_EQ(show.out.find(flag), std::string::npos) << flag;
    }
}
