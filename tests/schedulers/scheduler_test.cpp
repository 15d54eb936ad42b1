// The scheduler driven through its seams: a fake environment whose phases end as the test
// scripts them, a list optimizer that records what it is told, and a real SQLite file.
#include "mlosbench/schedulers/scheduler.hpp"
#include "mlosbench/storage/sqlite_storage.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace mlosbench;
using mlosbench::testing::TempDir;

namespace {

using namespace std::chrono_literals;

std::int64_t x_of(const TunableValues& config) { return std::get<std::int64_t>(config.at("x")); }

/// What the fake environments of a run share with the test. Thread-safe.
struct World
{
    /// The status a trial's run ends in, by the trial's x; SUCCEEDED with score x otherwise.
    std::map<std::int64_t, Status> run_status;
    /// Called at the start of each run (on the runner's thread) with the trial's context.
    std::function<void(const TrialContext&)> on_run;

    std::mutex mutex;
    std::condition_variable changed;
    std::vector<TrialContext> runs; ///< in the order the runs ended
    std::map<int, int> teardowns;   ///< by runner id
    int cancel_fd = -1;

    void record_run(const TrialContext& trial)
    {
        {
            const std::lock_guard lock(mutex);
            runs.push_back(trial);
        }
        changed.notify_all();
    }
    /// Waits until `count` runs have ended (false after 30 s: the test fails, not hangs).
    bool wait_for_runs(std::size_t count)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 30s, [&] { return runs.size() >= count; });
    }
};

class FakeEnv final : public Environment
{
public:
    FakeEnv(const EnvironmentSpec& spec, const RunnerContext& runner, World& world)
        : Environment(spec, runner), m_world(world)
    {
    }

protected:
    PhaseResult do_setup() override { return result(Status::ready); }

    PhaseResult do_run() override
    {
        if (m_world.on_run) {
            m_world.on_run(m_trial);
        }
        PhaseResult out = result(Status::succeeded);
        // As a real process would: a cancel already signalled ends the trial CANCELED.
        if (m_runner.cancel.requested()) {
            out.status = Status::canceled;
        } else if (const auto it = m_world.run_status.find(x_of(m_trial.tunables));
                   it != m_world.run_status.end()) {
            out.status = it->second;
            out.reason = "scripted";
        } else {
            out.results = {{"score", x_of(m_trial.tunables)}};
        }
        m_world.record_run(m_trial);
        return out;
    }

    void do_teardown() override
    {
        const std::lock_guard lock(m_world.mutex);
        ++m_world.teardowns[m_runner.runner_id];
    }

private:
    static PhaseResult result(Status status)
    {
        PhaseResult r;
        r.status = status;
        r.time = now();
        return r;
    }

    World& m_world;
};

/// Suggests x = 1, 2, ..., `count` and records every observation it is given.
class ListOptimizer final : public Optimizer
{
public:
    explicit ListOptimizer(std::int64_t count, bool preload = false)
        : m_count(count), m_preload(preload)
    {
    }

    [[nodiscard]] std::string name() const override { return "ListOptimizer"; }
    [[nodiscard]] bool supports_preload() const override { return m_preload; }
    void register_observations(const std::vector<Observation>& observations) override
    {
        m_observed.insert(m_observed.end(), observations.begin(), observations.end());
    }
    void register_pending(const std::vector<TunableValues>& /*configs*/) override {}
    [[nodiscard]] std::optional<Suggestion> suggest() override
    {
        if (m_next > m_count) {
            return std::nullopt;
        }
        const std::int64_t x = m_next++;
        return Suggestion{{{"x", x}}, x == 1};
    }
    [[nodiscard]] bool not_converged() const override { return m_next <= m_count; }
    [[nodiscard]] std::optional<BestObservation> best() const override
    {
        std::optional<BestObservation> best;
        for (const auto& o : m_observed) {
            if (o.status == Status::succeeded &&
                (!best || o.scores.at("score") < best->scores.at("score"))) {
                best = BestObservation{o.config, o.scores};
            }
        }
        return best;
    }
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& targets() const override
    {
        return m_targets;
    }

    /// The x of every observation, in the order told.
    [[nodiscard]] std::vector<std::int64_t> observed() const
    {
        std::vector<std::int64_t> xs;
        for (const auto& o : m_observed) {
            xs.push_back(x_of(o.config));
        }
        return xs;
    }

private:
    std::int64_t m_count;
    bool m_preload;
    std::int64_t m_next = 1;
    std::vector<Observation> m_observed;
    std::vector<std::pair<std::string, std::string>> m_targets = {{"score", "min"}};
};

class SchedulerTest : public ::testing::Test
{
protected:
    SchedulerTest()
    {
        m_space.add_from_json(Json::parse(R"({"g": {"cost": 1, "params": {
            "x": {"type": "int", "range": [0, 1000], "default": 0}}}})"),
                              "tunables.jsonc");
        m_root.name = "fake";
        m_root.class_name = "FakeEnv";
        m_spec.experiment_id = "exp";
        m_policy.max_failed_share = 1.0;
        m_policy.max_consecutive_failures = 0;
    }

    /// Runs the experiment (a resume when it exists) with an optimizer of `suggestions`.
    RunSummary run(std::int64_t suggestions)
    {
        SqliteStorage storage((m_dir.path() / "s.db").string());
        ExperimentSpec experiment;
        experiment.experiment_id = m_spec.experiment_id;
        experiment.objectives = {{"score", "min"}};
        const auto records = storage.open_experiment(experiment, m_space);
        m_optimizer = std::make_unique<ListOptimizer>(suggestions);
        Scheduler scheduler(
            m_spec,
            [this](const RunnerContext& runner) -> std::unique_ptr<Environment> {
                if (m_factory_error) {
                    throw ConfigError("env.jsonc", "/config", *m_factory_error);
                }
                return std::make_unique<FakeEnv>(m_root, runner, m_world);
            },
            m_space, *m_optimizer, *records, m_policy);
        RunSummary summary = scheduler.run();
        m_stored = records->load_completed(0);
        return summary;
    }

    /// "id|x|STATUS" of every completed trial in storage, by id.
    [[nodiscard]] std::vector<std::string> stored() const
    {
        std::vector<std::string> rows;
        for (const auto& t : m_stored) {
            rows.push_back(std::to_string(t.trial_id) + "|" + std::to_string(x_of(t.config)) + "|" +
                           std::string(status_name(t.status)));
        }
        return rows;
    }

    TempDir m_dir;
    TunableGroups m_space;
    EnvironmentSpec m_root;
    SchedulerSpec m_spec;
    RunPolicy m_policy;
    World m_world;
    std::optional<std::string> m_factory_error;
    std::unique_ptr<ListOptimizer> m_optimizer;
    std::vector<CompletedTrial> m_stored;
};

} // namespace

TEST_F(SchedulerTest, RunsEverySuggestionAndTellsTheOptimizerEachOnce)
{
    const RunSummary summary = run(4);
    EXPECT_EQ(summary.outcome, Outcome::ok) << summary.failure;
    EXPECT_EQ(summary.trials, 4);
    EXPECT_EQ(stored(), (std::vector<std::string>{"1|1|SUCCEEDED", "2|2|SUCCEEDED",
                                                  "3|3|SUCCEEDED", "4|4|SUCCEEDED"}));
    EXPECT_EQ(m_optimizer->observed(), (std::vector<std::int64_t>{1, 2, 3, 4}));
    ASSERT_TRUE(summary.best);
    EXPECT_EQ(summary.best->scores.at("score"), 1.0);
    EXPECT_EQ(summary.best_trial_id, 1);
    EXPECT_EQ(m_world.teardowns, (std::map<int, int>{{1, 1}}));
}

TEST_F(SchedulerTest, StopsAfterMaxConsecutiveFailures)
{
    m_policy.max_consecutive_failures = 3;
    for (std::int64_t x = 2; x <= 10; ++x) {
        m_world.run_status[x] = x % 2 == 0 ? Status::failed : Status::timed_out;
    }
    const RunSummary summary = run(10);
    EXPECT_EQ(summary.outcome, Outcome::failed);
    EXPECT_EQ(summary.failure,
              "stopped after 3 failed trials in a row (--max-consecutive-failures)");
    EXPECT_EQ(stored(), (std::vector<std::string>{"1|1|SUCCEEDED", "2|2|FAILED", "3|3|TIMED_OUT",
                                                  "4|4|FAILED"}));
    EXPECT_EQ(m_optimizer->observed(), (std::vector<std::int64_t>{1, 2, 3, 4}));
}

TEST_F(SchedulerTest, MaxTrialsBoundsTheTrialsMade)
{
    m_spec.max_trials = 3;
    const RunSummary summary = run(10);
    EXPECT_EQ(summary.outcome, Outcome::ok);
    EXPECT_EQ(summary.trials, 3);
    EXPECT_EQ(stored().size(), 3U);
}

TEST_F(SchedulerTest, RepeatsEachConfigWithItsRepeatIndex)
{
    m_spec.trial_config_repeat_count = 3;
    const RunSummary summary = run(2);
    EXPECT_EQ(summary.outcome, Outcome::ok);
    EXPECT_EQ(stored(),
              (std::vector<std::string>{"1|1|SUCCEEDED", "2|1|SUCCEEDED", "3|1|SUCCEEDED",
                                        "4|2|SUCCEEDED", "5|2|SUCCEEDED", "6|2|SUCCEEDED"}));
    std::vector<std::string> repeats;
    for (const auto& trial : m_world.runs) {
        repeats.push_back(std::to_string(trial.trial_id) + ":" +
                          trial.metadata.at("repeat_i").dump());
    }
    EXPECT_EQ(repeats, (std::vector<std::string>{"1:1", "2:2", "3:3", "4:1", "5:2", "6:3"}));
}

TEST_F(SchedulerTest, ConfigIdRunsAStoredConfigFirst)
{
    ASSERT_EQ(run(3).outcome, Outcome::ok);
    m_world.runs.clear();
    m_spec.config_id = 2; // x = 2
    const RunSummary summary = run(1);
    EXPECT_EQ(summary.outcome, Outcome::ok);
    EXPECT_TRUE(summary.resumed);
    ASSERT_EQ(m_world.runs.size(), 2U);
    EXPECT_EQ(m_world.runs[0].trial_id, 4);
    EXPECT_EQ(x_of(m_world.runs[0].tunables), 2);
    EXPECT_EQ(x_of(m_world.runs[1].tunables), 1);
}

TEST_F(SchedulerTest, CompletionsOutOfOrderAreEachToldOnce)
{
    m_spec.num_trial_runners = 3;
    // Trial 1 ends only after trials 2 and 3 have ended, on other runners.
    m_world.on_run = [this](const TrialContext& trial) {
        if (trial.trial_id == 1) {
            EXPECT_TRUE(m_world.wait_for_runs(2)) << "trials 2 and 3 never ran beside trial 1";
        }
    };
    const RunSummary summary = run(9);
    EXPECT_EQ(summary.outcome, Outcome::ok);
    EXPECT_EQ(summary.trials, 9);
    ASSERT_GE(m_world.runs.size(), 3U);
    EXPECT_NE(m_world.runs[0].trial_id, 1);
    EXPECT_NE(m_world.runs[1].trial_id, 1);
    std::vector<std::int64_t> observed = m_optimizer->observed();
    std::sort(observed.begin(), observed.end());
    EXPECT_EQ(observed, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
    std::set<int> runners;
    for (const auto& trial : m_world.runs) {
        runners.insert(trial.runner_id);
    }
    EXPECT_EQ(runners, (std::set<int>{1, 2, 3}));
    // Each runner that ran a trial tears down once.
    EXPECT_EQ(m_world.teardowns, (std::map<int, int>{{1, 1}, {2, 1}, {3, 1}}));
}

TEST_F(SchedulerTest, TeardownOnceByRunnerOneEvenIfOthersNeverRan)
{
    m_spec.num_trial_runners = 3;
    ASSERT_EQ(run(1).outcome, Outcome::ok);
    EXPECT_EQ(m_world.teardowns, (std::map<int, int>{{1, 1}}));
}

TEST_F(SchedulerTest, NoTeardownWhenTurnedOff)
{
    m_spec.teardown = false;
    ASSERT_EQ(run(2).outcome, Outcome::ok);
    EXPECT_TRUE(m_world.teardowns.empty());
}

TEST_F(SchedulerTest, AnInterruptStopsTheRunWithoutTeardown)
{
    const int cancel = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ASSERT_GE(cancel, 0);
    m_policy.cancel = CancelToken(cancel);
    // Trial 2 is where the user presses Ctrl-C.
    m_world.on_run = [cancel](const TrialContext& trial) {
        if (trial.trial_id == 2) {
            const std::uint64_t one = 1;
            EXPECT_EQ(::write(cancel, &one, sizeof(one)), 8);
        }
    };
    const RunSummary summary = run(10);
    ::close(cancel);
    EXPECT_EQ(summary.outcome, Outcome::interrupted);
    EXPECT_TRUE(summary.interrupted());
    EXPECT_EQ(summary.counts.at(Status::succeeded), 1);
    // Trial 2 and any trial assigned before the main thread heard of the signal: CANCELED.
    EXPECT_EQ(summary.counts.at(Status::canceled), summary.trials - 1);
    EXPECT_LE(summary.trials, 3);
    EXPECT_TRUE(m_world.teardowns.empty());
    EXPECT_EQ(m_optimizer->observed(), (std::vector<std::int64_t>{1}));
}

TEST_F(SchedulerTest, NoTrialSucceededIsAFailedRun)
{
    m_world.run_status = {{1, Status::failed}, {2, Status::failed}};
    const RunSummary summary = run(2);
    EXPECT_EQ(summary.outcome, Outcome::failed);
    EXPECT_EQ(summary.failure, "no trial succeeded");
}

TEST_F(SchedulerTest, MoreFailuresThanTheShareFailTheRun)
{
    m_policy.max_failed_share = 0.25;
    m_world.run_status = {{2, Status::failed}, {3, Status::timed_out}};
    const RunSummary summary = run(4);
    EXPECT_EQ(summary.outcome, Outcome::failed);
    EXPECT_EQ(summary.failure, "2 of 4 trials failed, more than --max-failed-share 0.25");
}

TEST_F(SchedulerTest, AnEnvironmentThatCannotBeBuiltIsAUsageError)
{
    m_factory_error = "unknown service";
    const RunSummary summary = run(3);
    EXPECT_EQ(summary.outcome, Outcome::usage_error);
    EXPECT_EQ(summary.failure, "env.jsonc: /config: unknown service");
    EXPECT_EQ(summary.trials, 0);
}

// --- Workers: several schedulers on one experiment (--join) ------------------------------

namespace {

/// A pid that no process has: a child that exited and was reaped.
int dead_pid()
{
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::_exit(0);
    }
    ::waitpid(pid, nullptr, 0);
    return static_cast<int>(pid);
}

} // namespace

TEST_F(SchedulerTest, WorkersShareTheTrialsOfOneExperimentEachOnce)
{
    // Three workers of two runners each, each with its own storage connection and optimizer,
    // bound together by --total-trials.
    constexpr int k_workers = 3;
    constexpr std::int64_t k_total = 24;
    m_spec.num_trial_runners = 2;
    m_policy.join = true;
    m_policy.total_trials = k_total;
    std::vector<std::unique_ptr<ListOptimizer>> optimizers;
    std::vector<RunSummary> summaries(k_workers);
    for (int w = 0; w < k_workers; ++w) {
        optimizers.push_back(std::make_unique<ListOptimizer>(1000, true));
    }
    std::vector<std::thread> threads;
    for (int w = 0; w < k_workers; ++w) {
        threads.emplace_back([&, w] {
            SqliteStorage storage((m_dir.path() / "s.db").string());
            ExperimentSpec experiment;
            experiment.experiment_id = m_spec.experiment_id;
            experiment.objectives = {{"score", "min"}};
            experiment.join = true;
            const auto records = storage.open_experiment(experiment, m_space);
            Scheduler scheduler(
                m_spec,
                [this](const RunnerContext& runner) -> std::unique_ptr<Environment> {
                    return std::make_unique<FakeEnv>(m_root, runner, m_world);
                },
                m_space, *optimizers[static_cast<std::size_t>(w)], *records, m_policy);
            summaries[static_cast<std::size_t>(w)] = scheduler.run();
            records->finish(Status::succeeded, now());
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    // Every trial id 1..24 ran exactly once, whichever worker ran it.
    std::map<std::int64_t, int> runs;
    for (const auto& trial : m_world.runs) {
        ++runs[trial.trial_id];
    }
    ASSERT_EQ(runs.size(), static_cast<std::size_t>(k_total));
    EXPECT_EQ(runs.begin()->first, 1);
    EXPECT_EQ(runs.rbegin()->first, k_total);
    for (const auto& [id, n] : runs) {
        EXPECT_EQ(n, 1) << "trial " << id;
    }
    std::int64_t by_workers = 0;
    for (int w = 0; w < k_workers; ++w) {
        const auto& summary = summaries[static_cast<std::size_t>(w)];
        EXPECT_EQ(summary.outcome, Outcome::ok) << summary.failure;
        by_workers += summary.trials;
        // Each optimizer learned of every trial of the experiment once, its own and the others'.
        auto observed = optimizers[static_cast<std::size_t>(w)]->observed();
        EXPECT_EQ(observed.size(), static_cast<std::size_t>(k_total)) << "worker " << w;
    }
    EXPECT_EQ(by_workers, k_total);
}

TEST_F(SchedulerTest, AWorkerTakesOverTheTrialsOfADeadOne)
{
    // A worker that died (its pid is gone) with trial 1 running and trial 2 queued.
    {
        SqliteStorage storage((m_dir.path() / "s.db").string());
        ExperimentSpec experiment;
        experiment.experiment_id = m_spec.experiment_id;
        experiment.objectives = {{"score", "min"}};
        experiment.join = true;
        experiment.driver_pid = dead_pid();
        const auto dead = storage.open_experiment(experiment, m_space);
        for (std::int64_t x : {7, 8}) {
            const TunableValues config{{"x", x}};
            ASSERT_TRUE(dead->new_trial(config, m_space.canonical_text(config), Json::object(),
                                        now()));
        }
        dead->update_trial(1, Status::running, now());
    }
    m_policy.join = true;
    m_policy.total_trials = 3;
    const RunSummary summary = run(5);
    EXPECT_EQ(summary.outcome, Outcome::ok) << summary.failure;
    // The dead worker's two trials ran here under their ids, then one new trial.
    EXPECT_EQ(stored(), (std::vector<std::string>{"1|7|SUCCEEDED", "2|8|SUCCEEDED",
                                                  "3|1|SUCCEEDED"}));
}

TEST_F(SchedulerTest, TotalTrialsBoundsTheExperimentAcrossRuns)
{
    m_policy.total_trials = 5;
    EXPECT_EQ(run(3).trials, 3);
    // A resumed run finishes to 5, though its optimizer could give 10.
    const RunSummary second = run(10);
    EXPECT_EQ(second.outcome, Outcome::ok) << second.failure;
    EXPECT_EQ(second.trials, 2);
    EXPECT_EQ(m_stored.size(), 5U);
    // Nothing is left to do: exit 0, no trial.
    const RunSummary third = run(10);
    EXPECT_EQ(third.outcome, Outcome::ok) << third.failure;
    EXPECT_EQ(third.trials, 0);
}

// --- judge(): the verdict alone --------------------------------------------------------------

TEST(RunVerdict, InOrderInterruptFaultEarlyStopThenCounts)
{
    const std::map<Status, std::int64_t> fine = {{Status::succeeded, 3}, {Status::failed, 1}};
    EXPECT_EQ(judge(fine, 0.5, false, {}).outcome, Outcome::ok);
    EXPECT_EQ(judge(fine, 0.5, true, {Outcome::usage_error, "bad"}).outcome,
              Outcome::interrupted);
    EXPECT_EQ(judge(fine, 0.5, false, {Outcome::usage_error, "bad"}).failure, "bad");
    const Verdict early = judge(fine, 0.5, false, {Outcome::ok, "stopped"});
    EXPECT_EQ(early.outcome, Outcome::failed);
    EXPECT_EQ(early.failure, "stopped");
    EXPECT_EQ(judge({}, 0.5, false, {}).failure, "no trial ran");
    EXPECT_EQ(judge({{Status::canceled, 2}}, 0.5, false, {}).failure, "no trial succeeded");
    // A share of exactly max_failed_share is fine; above it is not.
    EXPECT_EQ(judge(fine, 0.25, false, {}).outcome, Outcome::ok);
    EXPECT_EQ(judge(fine, 0.2, false, {}).failure,
              "1 of 4 trials failed, more than --max-failed-share 0.2");
}
