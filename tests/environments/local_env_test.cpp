#include "environments/env_fixture.hpp"
#include "mlosbench/environments/local_env.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <sstream>

using namespace mlosbench;
using namespace mlosbench::testing;
namespace fs = std::filesystem;

namespace {

// Captures what spdlog logs while it lives (the message only).
class LogCapture
{
public:
    LogCapture() : m_previous(spdlog::default_logger())
    {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(m_stream);
        sink->set_pattern("%l: %v");
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_level(spdlog::level::debug);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(m_previous); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    [[nodiscard]] std::string text() const { return m_stream.str(); }

private:
    std::ostringstream m_stream;
    std::shared_ptr<spdlog::logger> m_previous;
};

// A LocalEnv whose configured temp dir is `<fixture>/work`, so that tests can look inside.
struct WorkEnv
{
    EnvFixture fx;
    LocalSettings settings;
    EnvironmentSpec spec;
    std::unique_ptr<Environment> env;

    [[nodiscard]] fs::path work() const { return fx.dir.path() / "work"; }
    /// Where runner 1 runs the trials of experiment "exp": its own subdirectory of work().
    [[nodiscard]] fs::path trial_dir() const { return work() / "exp" / "runner-1"; }
    /// Writes `text` to `name` in trial_dir().
    void write(const std::string& name, const std::string& text) const
    {
        fx.dir.write("work/exp/runner-1/" + name, text);
    }

    Environment& make()
    {
        settings.temp_dir = work().string();
        spec = EnvFixture::spec("local", "LocalEnv", settings);
        env = Environment::create(spec, fx.runner);
        return *env;
    }
};

// Runs a trial whose results file holds `csv` (written by the test after setup).
PhaseResult run_with_results(WorkEnv& w, const std::string& csv)
{
    w.settings.read_results_file = "results.csv";
    Environment& env = w.make();
    EXPECT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    w.write("results.csv", csv);
    return env.run();
}

} // namespace

TEST(LocalEnv, RunsAFullTrial)
{
    EnvFixture fx;
    const fs::path work = fx.dir.path() / "work";
    LocalSettings s;
    s.temp_dir = (work / "$trial_runner_id").string();
    s.dump_params_file = "params.json";
    s.dump_meta_file = "meta/meta.json";
    s.script.setup = {
        "pwd > setup_cwd.txt",
        R"(printf '%s\n' "$greeting" "$RENAMED" > greeting.txt)",
        R"(echo "$MLOSBENCH_EXPERIMENT_ID $MLOSBENCH_TRIAL_ID $MLOSBENCH_TRIAL_RUNNER_ID )"
        R"($MLOSBENCH_STORAGE $n $mode $f" > ids.txt)",
        R"(echo "[$z]" > unexported.txt)",
    };
    s.script.run = {
        "echo 'score: 0.75'; echo 'throughput: 100'; echo 'name: fast'",
        R"(printf 'metric,value\nlatency,12\nscore,0.5\n' > results.csv)",
    };
    s.script.teardown = {R"(pwd > "$log_dir/teardown_cwd.txt")"};
    s.script.results_stdout_pattern = R"(^(\w+): (\S+)$)";
    s.script.shell_env_params = {"greeting", "n", "mode", "f", "log_dir"};
    s.script.shell_env_params_rename = {{"RENAMED", "greeting"}};
    s.read_results_file = "results.csv";
    EnvironmentSpec spec = EnvFixture::spec("local", "LocalEnv", s);
    const std::string greeting = R"(it's "quoted" $HOME; echo pwned & `x` spaces)";
    spec.params.set("greeting", greeting, "test");
    spec.params.set("log_dir", fx.dir.path().string(), "test");
    auto env = Environment::create(spec, fx.runner);

    const PhaseResult setup = env->setup(EnvFixture::trial(3));
    ASSERT_EQ(setup.status, Status::ready) << setup.reason << setup.stderr_tail;
    const fs::path tmp = work / "1" / "exp" / "runner-1"; // the runner's subdirectory
    EXPECT_EQ(read_file(tmp / "setup_cwd.txt"), fs::canonical(tmp).string() + "\n");
    EXPECT_EQ(read_file(tmp / "greeting.txt"), greeting + "\n" + greeting + "\n");
    EXPECT_EQ(read_file(tmp / "ids.txt"), "exp 3 1 /data/mlosbench.db 7 c 0.5\n");
    EXPECT_EQ(read_file(tmp / "unexported.txt"), "[]\n");
    EXPECT_EQ(Json::parse(read_file(tmp / "params.json")),
              Json::parse(R"({"n": 7, "mode": "c", "f": 0.5})"));
    EXPECT_EQ(Json::parse(read_file(tmp / "meta" / "meta.json")),
              Json::parse(R"({"n": {"unit": "MB"}})"));

    const Json& params = env->parameters();
    EXPECT_EQ(params.at("greeting"), greeting);
    EXPECT_EQ(params.at("experiment_id"), "exp");
    EXPECT_EQ(params.at("trial_id"), 3);
    EXPECT_EQ(params.at("trial_runner_id"), 1);
    EXPECT_EQ(params.at("n"), 7);
    EXPECT_FALSE(params.contains("z")); // not a tunable of this environment

    const PhaseResult run = env->run();
    ASSERT_EQ(run.status, Status::succeeded) << run.reason;
    EXPECT_EQ(run.results,
              Json::parse(R"({"score": 0.5, "throughput": 100, "name": "fast", "latency": 12})"));
    EXPECT_EQ(run.stdout_tail, "score: 0.75\nthroughput: 100\nname: fast\n");

    EXPECT_EQ(env->status().status, Status::ready);
    env->end_trial();
    EXPECT_TRUE(fs::exists(tmp / "params.json")); // a configured temp dir is kept
    EXPECT_EQ(env->status().status, Status::pending);

    env->teardown();
    EXPECT_EQ(read_file(fx.dir.path() / "teardown_cwd.txt"), fs::canonical(tmp).string() + "\n");
}

TEST(LocalEnv, FreshTempDirPerTrialIsRemovedUnlessKept)
{
    EnvFixture fx;
    LocalSettings s;
    s.script.setup = {"touch here.txt"};
    const EnvironmentSpec spec = EnvFixture::spec("local", "LocalEnv", s);
    LocalEnv env(spec, fx.runner);

    ASSERT_EQ(env.setup(EnvFixture::trial(1)).status, Status::ready);
    const fs::path first = env.temp_dir().value();
    EXPECT_TRUE(fs::exists(first / "here.txt"));
    env.end_trial();
    EXPECT_FALSE(fs::exists(first));
    EXPECT_FALSE(env.temp_dir());

    fx.runner.keep_temp = true;
    ASSERT_EQ(env.setup(EnvFixture::trial(2)).status, Status::ready);
    const fs::path second = env.temp_dir().value();
    EXPECT_NE(second, first);
    env.end_trial();
    EXPECT_TRUE(fs::exists(second / "here.txt"));
    fs::remove_all(second);
}

TEST(LocalEnv, LongAndWideResultsCsv)
{
    {
        WorkEnv w;
        const PhaseResult run =
            run_with_results(w, "metric,value\r\nlatency,12.5\r\nhost,\"a,b\"\r\n\r\nnone,\r\n");
        ASSERT_EQ(run.status, Status::succeeded) << run.reason;
        EXPECT_EQ(run.results, Json::parse(R"({"latency": 12.5, "host": "a,b", "none": null})"));
    }
    {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, "a, b ,\"c,d\"\n1,x,\"q \"\"w\"\"\"\n");
        ASSERT_EQ(run.status, Status::succeeded) << run.reason;
        EXPECT_EQ(run.results, Json::parse(R"({"a": 1, "b": "x", "c,d": "q \"w\""})"));
    }
    // A UTF-8 byte order mark (as some spreadsheet tools write) is not part of the header.
    {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, "\xEF\xBB\xBFmetric,value\nscore,2\n");
        ASSERT_EQ(run.status, Status::succeeded) << run.reason;
        EXPECT_EQ(run.results, Json::parse(R"({"score": 2})"));
    }
    {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, "\xEF\xBB\xBFscore,latency\n2,3\n");
        ASSERT_EQ(run.status, Status::succeeded) << run.reason;
        EXPECT_EQ(run.results, Json::parse(R"({"score": 2, "latency": 3})"));
    }
}

TEST(LocalEnv, BadResultsCsvFailsTheTrial)
{
    {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, "");
        EXPECT_EQ(run.status, Status::failed);
        EXPECT_EQ(run.reason,
                  "results file '" + (w.trial_dir() / "results.csv").string() + "' is empty");
        EXPECT_EQ(run.results, Json::object());
    }
    {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, "metric,value\n");
        EXPECT_EQ(run.status, Status::failed);
        EXPECT_EQ(run.reason, "results file '" + (w.trial_dir() / "results.csv").string() +
                                  "' has a header but no data rows");
    }
    {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, "a,b\n1,2\n3,4\n");
        EXPECT_EQ(run.status, Status::failed);
        EXPECT_EQ(run.reason,
                  "results file '" + (w.trial_dir() / "results.csv").string() +
                      "' has 2 data rows: expected the header 'metric,value' and one row per "
                      "metric, or metric names in the header and one row of values");
    }
    {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, "metric,value\nx,1\ny,2,3\n");
        EXPECT_EQ(run.status, Status::failed);
        EXPECT_EQ(run.reason, "results file '" + (w.trial_dir() / "results.csv").string() +
                                  "' line 3: expected 2 fields, got 3");
    }
    const auto reason_of = [](const std::string& csv) {
        WorkEnv w;
        const PhaseResult run = run_with_results(w, csv);
        EXPECT_EQ(run.status, Status::failed);
        EXPECT_EQ(run.results, Json::object());
        const std::string prefix =
            "results file '" + (w.trial_dir() / "results.csv").string() + "'";
        return run.reason.rfind(prefix, 0) == 0 ? run.reason.substr(prefix.size()) : run.reason;
    };
    EXPECT_EQ(reason_of("metric,value\nscore,1\nx,2\nscore,3\n"),
              " line 4: metric 'score' again (first on line 2)");
    EXPECT_EQ(reason_of("metric,value\n ,1\n"), " line 2: empty metric name");
    EXPECT_EQ(reason_of("score,x,score\n1,2,3\n"),
              " line 1 column 3: metric 'score' again (first on line 1 column 1)");
    EXPECT_EQ(reason_of("score,\n1,\n"), " line 1 column 2: empty metric name");
}

TEST(LocalEnv, AResultsPathThatIsADirectoryFailsTheTrial)
{
    WorkEnv w;
    w.settings.read_results_file = "results.csv";
    Environment& env = w.make();
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    fs::create_directories(w.trial_dir() / "results.csv");
    const PhaseResult run = env.run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason, "results file '" + (w.trial_dir() / "results.csv").string() +
                              "' is a directory, not a regular file");
}

TEST(LocalEnv, AResultsFileIsReadOnlyWhenThisTrialWroteIt)
{
    WorkEnv w;
    w.settings.read_results_file = "results.csv";
    w.settings.read_telemetry_file = "telemetry.csv";
    w.fx.runner.search_path = {w.fx.dir.path() / "search"};
    w.fx.dir.write("search/results.csv", "metric,value\nfrom_search,1\n");
    // Left by an earlier trial of this runner: removed when the trial starts.
    w.write("results.csv", "metric,value\nstale,1\n");
    w.write("telemetry.csv", "2024-05-01 10:00:00,cpu,0.5\n");
    Environment& env = w.make();
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    EXPECT_FALSE(fs::exists(w.trial_dir() / "results.csv"));
    EXPECT_FALSE(fs::exists(w.trial_dir() / "telemetry.csv"));
    const PhaseResult missing = env.run();
    EXPECT_EQ(missing.status, Status::failed);
    EXPECT_EQ(missing.reason, "results file '" + (w.trial_dir() / "results.csv").string() +
                                  "' was not written by the trial");
    EXPECT_EQ(missing.results, Json::object());
    EXPECT_TRUE(env.status().telemetry.empty());
}

TEST(LocalEnv, AbsoluteResultsPathsMustBeInTheTrialsDirectory)
{
    {
        // Into the configured temp_dir: read where the trial's script writes it.
        WorkEnv w;
        w.settings.read_results_file = (w.work() / "out" / "results.csv").string();
        w.settings.script.run = {"mkdir -p out; printf 'score\\n1\\n' > out/results.csv"};
        Environment& env = w.make();
        ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
        const PhaseResult run = env.run();
        ASSERT_EQ(run.status, Status::succeeded) << run.reason;
        EXPECT_EQ(run.results, Json::parse(R"({"score": 1})"));
    }
    for (const char* name : {"/tmp/results.csv", "../results.csv"}) {
        WorkEnv w;
        w.settings.read_results_file = name;
        const PhaseResult setup = w.make().setup(EnvFixture::trial());
        EXPECT_EQ(setup.status, Status::failed);
        EXPECT_EQ(setup.reason, "setup: read_results_file '" + std::string(name) +
                                    "' is outside the trial's working directory " +
                                    w.trial_dir().string() +
                                    ", where other trials could write it: name it relative to "
                                    "that directory");
    }
}

TEST(LocalEnv, RunnersOfOneTempDirWorkInTheirOwnSubdirectories)
{
    EnvFixture fx;
    LocalSettings s;
    s.temp_dir = (fx.dir.path() / "work").string();
    s.script.setup = {"pwd > where.txt"};
    const EnvironmentSpec spec = EnvFixture::spec("local", "LocalEnv", s);
    RunnerContext second = fx.runner;
    second.runner_id = 2;
    fx.runner.experiment_id = second.experiment_id = "my exp/1";
    LocalEnv one(spec, fx.runner);
    LocalEnv two(spec, second);
    TrialContext trial = EnvFixture::trial(1);
    trial.experiment_id = "my exp/1";
    ASSERT_EQ(one.setup(trial).status, Status::ready);
    trial.runner_id = 2;
    ASSERT_EQ(two.setup(trial).status, Status::ready);
    EXPECT_EQ(one.temp_dir(), fx.dir.path() / "work" / "my_exp_1" / "runner-1");
    EXPECT_EQ(two.temp_dir(), fx.dir.path() / "work" / "my_exp_1" / "runner-2");
    EXPECT_EQ(read_file(*two.temp_dir() / "where.txt"),
              fs::canonical(*two.temp_dir()).string() + "\n");
}

TEST(LocalEnv, FailingRunLineFailsTheTrial)
{
    WorkEnv w;
    w.settings.script.run = {"echo first", "echo out; echo err >&2; exit 3", "echo never"};
    Environment& env = w.make();
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env.run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason, "run: 'echo out; echo err >&2; exit 3' exited with code 3");
    EXPECT_EQ(run.stdout_tail, "first\nout\n");
    EXPECT_EQ(run.stderr_tail, "err\n");
    EXPECT_EQ(run.results, Json::object());
}

TEST(LocalEnv, AFailureReasonQuotesOnlyTheFirstLineOfItsCommand)
{
    WorkEnv w;
    w.settings.script.run = {"x=1\n# a second line\nexit 5",
                             "echo " + std::string(100, 'a') + "; exit 6"};
    Environment& env = w.make();
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    EXPECT_EQ(env.run().reason, "run: 'x=1...' exited with code 5");
    w.settings.script.run.erase(w.settings.script.run.begin());
    Environment& long_line = w.make();
    ASSERT_EQ(long_line.setup(EnvFixture::trial()).status, Status::ready);
    EXPECT_EQ(long_line.run().reason,
              "run: 'echo " + std::string(75, 'a') + "...' exited with code 6");
}

TEST(LocalEnv, FailingSetupLineStopsSetup)
{
    WorkEnv w;
    w.settings.script.setup = {"true", "exit 4", "touch never.txt"};
    Environment& env = w.make();
    const PhaseResult setup = env.setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::failed);
    EXPECT_EQ(setup.reason, "setup: 'exit 4' exited with code 4");
    EXPECT_FALSE(fs::exists(w.work() / "never.txt"));
    const PhaseResult run = env.run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(run.reason, "run: environment 'local' is not set up");
}

TEST(LocalEnv, TimeoutEndsTheLine)
{
    WorkEnv w;
    w.settings.script.timeout = 0.2;
    w.settings.script.run = {"sleep 30", "echo never"};
    Environment& env = w.make();
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env.run();
    EXPECT_EQ(run.status, Status::timed_out);
    EXPECT_EQ(run.reason, "run: 'sleep 30' timed out after 0.2 s");
}

TEST(LocalEnv, CancelEndsTheLine)
{
    WorkEnv w;
    std::array<int, 2> fds{};
    ASSERT_EQ(::pipe(fds.data()), 0);
    ASSERT_EQ(::write(fds[1], "x", 1), 1);
    w.fx.runner.cancel = CancelToken(fds[0]);
    w.settings.script.setup = {"sleep 30"};
    Environment& env = w.make();
    const PhaseResult setup = env.setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::canceled);
    EXPECT_EQ(setup.reason, "setup: 'sleep 30' was canceled");
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(LocalEnv, MissingShellParamFailsTheTrial)
{
    WorkEnv w;
    w.settings.script.shell_env_params = {"n", "nope"};
    Environment& env = w.make();
    const PhaseResult setup = env.setup(EnvFixture::trial());
    EXPECT_EQ(setup.status, Status::failed);
    EXPECT_EQ(setup.reason, "shell_env_params: 'nope' is not a parameter of environment 'local'");

    WorkEnv r;
    r.settings.script.shell_env_params_rename = {{"X", "nope"}};
    const PhaseResult renamed = r.make().setup(EnvFixture::trial());
    EXPECT_EQ(renamed.status, Status::failed);
    EXPECT_EQ(renamed.reason, "shell_env_params_rename: 'X' names 'nope', which is not a "
                              "parameter of environment 'local'");
}

TEST(LocalEnv, ReadsTelemetryWithAndWithoutHeader)
{
    WorkEnv w;
    w.settings.read_telemetry_file = "telemetry.csv";
    Environment& env = w.make();
    EXPECT_EQ(env.status().status, Status::pending); // not set up
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);

    const PhaseResult none = env.status(); // no file yet
    EXPECT_EQ(none.status, Status::ready);
    EXPECT_TRUE(none.telemetry.empty());

    w.write("telemetry.csv", "timestamp,metric,value\n"
                             "2024-05-01 10:00:00,cpu,0.5\n"
                             "2024-05-01T10:00:01Z,mem,100\n");
    const PhaseResult with_header = env.status();
    ASSERT_EQ(with_header.telemetry.size(), 2U);
    EXPECT_EQ(with_header.telemetry[0].time, parse_timestamp("2024-05-01 10:00:00", true));
    EXPECT_EQ(with_header.telemetry[0].metric, "cpu");
    EXPECT_EQ(with_header.telemetry[0].value, 0.5);
    EXPECT_EQ(with_header.telemetry[1].time, parse_timestamp("2024-05-01 10:00:01"));
    EXPECT_EQ(with_header.telemetry[1].metric, "mem");
    EXPECT_EQ(with_header.telemetry[1].value, 100);

    w.write("telemetry.csv", "2024-05-01 10:00:00,cpu,0.5\n");
    const PhaseResult no_header = env.status();
    ASSERT_EQ(no_header.telemetry.size(), 1U);
    EXPECT_EQ(no_header.telemetry[0].metric, "cpu");
}

TEST(LocalEnv, SkipsBadTelemetryRowsWithAWarning)
{
    WorkEnv w;
    w.settings.read_telemetry_file = "telemetry.csv";
    Environment& env = w.make();
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    w.write("telemetry.csv", "timestamp,metric,value\n"
                             "yesterday,cpu,1\n"
                             "2024-05-01 10:00:02,cpu,2\n"
                             "only,two\n");
    const LogCapture log;
    const PhaseResult status = env.status();
    ASSERT_EQ(status.telemetry.size(), 1U);
    EXPECT_EQ(status.telemetry[0].value, 2);
    const std::string file = (w.trial_dir() / "telemetry.csv").string();
    EXPECT_EQ(log.text(), "warning: telemetry file '" + file +
                              "' line 2: bad timestamp 'yesterday'; row skipped\n"
                              "warning: telemetry file '" +
                              file +
                              "' line 4: expected 3 fields (timestamp,metric,value), got 2; "
                              "row skipped\n");
}

TEST(LocalEnv, ResolvesScriptsNextToItsConfig)
{
    EnvFixture fx;
    const fs::path config = fx.dir.write("configs/env.jsonc", "{}");
    const fs::path bench = fx.dir.write("configs/bench.sh", "#!/bin/sh\necho \"arg: $1\"\n");
    fs::permissions(bench, fs::perms::owner_exec, fs::perm_options::add);
    fx.dir.write("configs/report.py", "print('py: 1')\n");
    LocalSettings s;
    s.script.run = {"bench.sh 42", "report.py"};
    s.script.results_stdout_pattern = R"(^(\w+): (\S+)$)";
    EnvironmentSpec spec = EnvFixture::spec("local", "LocalEnv", s);
    spec.file = config.string();
    auto env = Environment::create(spec, fx.runner);
    ASSERT_EQ(env->setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env->run();
    ASSERT_EQ(run.status, Status::succeeded) << run.reason << run.stderr_tail;
    EXPECT_EQ(run.results, Json::parse(R"({"arg": 42, "py": 1})"));
}

TEST(LocalEnv, TheServicesTempDirGetsARunnerSubdirectoryToo)
{
    EnvFixture fx;
    LocalSettings s;
    s.script.setup = {"true"};
    EnvironmentSpec spec = EnvFixture::spec("local", "LocalEnv", s);
    spec.services.local_exec->temp_dir = (fx.dir.path() / "service").string();
    LocalEnv env(spec, fx.runner);
    ASSERT_EQ(env.setup(EnvFixture::trial(1)).status, Status::ready);
    EXPECT_EQ(env.temp_dir(), fx.dir.path() / "service" / "exp" / "runner-1");
    env.end_trial();
    EXPECT_TRUE(fs::is_directory(fx.dir.path() / "service" / "exp" / "runner-1")); // kept
}

TEST(LocalEnv, AStdoutMatchWithAnEmptyNameFailsTheTrial)
{
    WorkEnv w;
    w.settings.script.run = {"echo 'a=1'; echo '=2'"};
    w.settings.script.results_stdout_pattern = R"((\w*)=(\d+))";
    Environment& env = w.make();
    ASSERT_EQ(env.setup(EnvFixture::trial()).status, Status::ready);
    const PhaseResult run = env.run();
    EXPECT_EQ(run.status, Status::failed);
    EXPECT_EQ(
        run.reason,
        "run: results_stdout_pattern: a match on line 2 of the output has an empty metric name");
    EXPECT_EQ(run.results, Json::object());
}

TEST(LocalEnv, RejectsAPatternWithoutTwoGroups)
{
    EnvFixture fx;
    LocalSettings s;
    s.script.results_stdout_pattern = R"(^score: (\S+)$)";
    EnvironmentSpec spec = EnvFixture::spec("local", "LocalEnv", s);
    spec.file = "env.jsonc";
    try {
        static_cast<void>(Environment::create(spec, fx.runner));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "env.jsonc: /config/results_stdout_pattern: expected two groups, "
                               "(name) and (value), got 1");
    }
    s.script.results_stdout_pattern = R"((?<=x)(\w+)=(\d+))";
    spec = EnvFixture::spec("local", "LocalEnv", s);
    spec.file = "env.jsonc";
    try {
        static_cast<void>(Environment::create(spec, fx.runner));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "env.jsonc: /config/results_stdout_pattern: not a valid regular "
                               "expression: position 0: lookahead and lookbehind are not "
                               "supported");
    }
}

TEST(LocalEnv, TeardownRunsOnceInAFreshDir)
{
    EnvFixture fx;
    LocalSettings s;
    s.script.teardown = {R"(pwd >> "$log_dir/teardown.txt"; exit 5)"};
    s.script.shell_env_params = {"log_dir"};
    EnvironmentSpec spec = EnvFixture::spec("local", "LocalEnv", s);
    spec.params.set("log_dir", fx.dir.path().string(), "test");
    auto env = Environment::create(spec, fx.runner);
    env->teardown(); // without a trial: still runs
    env->teardown(); // idempotent
    const std::string log = read_file(fx.dir.path() / "teardown.txt");
    ASSERT_EQ(std::count(log.begin(), log.end(), '\n'), 1);
    EXPECT_FALSE(fs::exists(trim(log))); // the fresh dir is gone
}
