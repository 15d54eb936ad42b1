// post_telemetry (post-metric) and delete_experiment (delete), on a real SQLite file and a
// real PostgreSQL database.
#include "mlosbench/util/error.hpp"
#include "support/storage_backends.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <map>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace mlosbench {
namespace {

using testing::Backend;
using testing::host_name;

Timestamp at(const std::string& text) { return *parse_timestamp(text); }

TunableGroups make_tunables()
{
    TunableGroups tunables;
    tunables.add_from_json(Json::parse(R"({"g": {"cost": 1, "params": {
        "x": {"type": "int", "range": [1, 99], "default": 1}}}})"),
                           "tunables.jsonc");
    return tunables;
}

class PostDeleteTest : public ::testing::TestWithParam<Backend>
{
protected:
    [[nodiscard]] std::unique_ptr<Storage> open() const { return m_db.open(); }
    [[nodiscard]] std::vector<std::string> sql_rows(const std::string& sql) const
    {
        return m_db.rows(sql);
    }
    [[nodiscard]] long long sql_count(const std::string& sql) const { return m_db.count(sql); }

    // Creates experiment `id` with one trial per x value, RUNNING; returns it still open.
    std::unique_ptr<ExperimentStorage> make_experiment(Storage& storage,
                                                       const std::string& id,
                                                       const std::vector<std::int64_t>& xs,
                                                       int driver_pid = 0)
    {
        ExperimentSpec spec;
        spec.experiment_id = id;
        spec.objectives = {{"score", "min"}};
        spec.driver_pid = driver_pid;
        auto exp = storage.open_experiment(spec, m_tunables);
        for (const auto x : xs) {
            const TunableValues values{{"x", x}};
            const auto trial = exp->new_trial(values, m_tunables.canonical_text(values),
                                              {{"repeat_i", 1}}, at("2025-01-01 00:00:00"))
                                   .value();
            exp->update_trial(trial.trial_id, Status::running, at("2025-01-01 00:00:01"));
        }
        return exp;
    }

    // Forks `count` processes, each running body(p) for p = 0..count-1 (exit 1 when it
    // throws); returns their pids for wait_all().
    template <typename Body> std::vector<pid_t> fork_each(int count, const Body& body) const
    {
        std::vector<pid_t> children;
        for (int p = 0; p < count; ++p) {
            const pid_t pid = ::fork();
            if (pid == 0) {
                int code = 0;
                try {
                    body(p);
                } catch (...) {
                    code = 1;
                }
                ::_exit(code);
            }
            EXPECT_GE(pid, 0);
            children.push_back(pid);
        }
        return children;
    }

    static void wait_all(const std::vector<pid_t>& children)
    {
        for (const pid_t pid : children) {
            int status = 0;
            ASSERT_EQ(::waitpid(pid, &status, 0), pid);
            EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
    }

    testing::StorageDatabase m_db{GetParam()};
    TunableGroups m_tunables = make_tunables();
};

TEST_P(PostDeleteTest, PostTelemetryAddsCumulativeValuesAndKeepsMetadata)
{
    auto storage = open();
    auto exp = make_experiment(*storage, "e", {1});
    const Timestamp t = at("2025-01-01 00:00:05");
    auto first = exp->post_telemetry(1, {t, "ops", 5}, true, std::nullopt, PostTime::as_given);
    EXPECT_EQ(first.value, 5);
    // Same time and metric: moved by 1 us, added to the latest value.
    auto second = exp->post_telemetry(1, {t, "ops", 2.5}, true, "batch=2", PostTime::as_given);
    EXPECT_EQ(second.value, 7.5);
    EXPECT_EQ(format_timestamp(second.time), "2025-01-01 00:00:05.000001");
    // Not cumulative: recorded as given.
    (void)exp->post_telemetry(1, {t, "loss", -0.5}, false, "epoch 1", PostTime::as_given);
    EXPECT_EQ(sql_rows("SELECT ts, metric_id, metric_value FROM trial_telemetry ORDER BY "
                       "metric_id, ts"),
              (std::vector<std::string>{"2025-01-01 00:00:05.000000|loss|-0.5",
                                        "2025-01-01 00:00:05.000000|ops|5",
                                        "2025-01-01 00:00:05.000001|ops|7.5"}));
    EXPECT_EQ(sql_rows("SELECT exp_id, trial_id, ts, metric_id, metadata FROM "
                       "trial_telemetry_metadata ORDER BY metric_id"),
              (std::vector<std::string>{"e|1|2025-01-01 00:00:05.000000|loss|epoch 1",
                                        "e|1|2025-01-01 00:00:05.000001|ops|batch=2"}));
}

TEST_P(PostDeleteTest, PostTelemetryRefusesBadInput)
{
    auto storage = open();
    auto exp = make_experiment(*storage, "e", {1});
    exp->add_telemetry(1, {{at("2025-01-01 00:00:05"), "phase", "warmup"}});
    try {
        (void)exp->post_telemetry(1, {now(), "phase", 1}, true, std::nullopt, PostTime::as_given);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "experiment 'e', trial 1: cannot add to metric 'phase': its latest value "
                  "'warmup' is not a number");
    }
    EXPECT_THROW(
        (void)exp->post_telemetry(7, {now(), "ops", 1}, false, std::nullopt, PostTime::as_given),
        ConfigError);
    EXPECT_EQ(sql_count("SELECT COUNT(*) FROM trial_telemetry"), 1);
}

// Four processes, each with its own connection, add 1 to one cumulative metric of one trial
// at one fixed time, while this process (the driver) records other trials' progress: every
// sample is kept under its own time and the sum is exact.
TEST_P(PostDeleteTest, ConcurrentCumulativePostsFromProcessesLoseNothing)
{
    constexpr int k_processes = 4;
    constexpr int k_posts = 25;
    auto storage = open();
    auto exp = make_experiment(*storage, "e", {1, 2, 3});
    const auto children = fork_each(k_processes, [&](int p) {
        auto own = open()->attach_experiment("e");
        for (int i = 0; i < k_posts; ++i) {
            (void)own->post_telemetry(1, {at("2025-01-01 00:00:05"), "count", 1}, true,
                                      "p" + std::to_string(p), PostTime::as_given);
        }
    });
    for (int i = 0; i < k_posts; ++i) {
        exp->add_telemetry(2, {{now(), "cpu", i}});
    }
    exp->update_trial(3, Status::succeeded, now(), {{"score", 1}});
    wait_all(children);
    const int total = k_processes * k_posts;
    EXPECT_EQ(sql_count("SELECT COUNT(*) FROM trial_telemetry WHERE trial_id = 1"), total);
    EXPECT_EQ(sql_count("SELECT COUNT(DISTINCT metric_value) FROM trial_telemetry WHERE "
                        "trial_id = 1"),
              total);
    EXPECT_EQ(sql_count("SELECT MAX(CAST(metric_value AS INTEGER)) FROM trial_telemetry "
                        "WHERE trial_id = 1"),
              total);
    EXPECT_EQ(sql_count("SELECT COUNT(*) FROM trial_telemetry_metadata WHERE trial_id = 1"), total);
    EXPECT_EQ(sql_count("SELECT COUNT(*) FROM trial_telemetry WHERE trial_id = 2"), k_posts);
}

// Posters without a time of their own (post-metric without --time): the time is taken as the
// sample is recorded, so racing posters are stored in time order and the latest sample holds
// the whole sum.
TEST_P(PostDeleteTest, PostsTimedWhenRecordedAreInTimeOrder)
{
    constexpr int k_processes = 4;
    constexpr int k_posts = 25;
    auto storage = open();
    auto exp = make_experiment(*storage, "e", {1});
    const Timestamp before = now();
    wait_all(fork_each(k_processes, [&](int /*p*/) {
        auto own = open()->attach_experiment("e");
        for (int i = 0; i < k_posts; ++i) {
            // Times that go back with each post, as posters' clocks read before a lock
            // would: ignored.
            const Timestamp stale = before - std::chrono::milliseconds(i + 1);
            (void)own->post_telemetry(1, {stale, "count", 1}, true, std::nullopt,
                                      PostTime::when_recorded);
        }
    }));
    const int total = k_processes * k_posts;
    // Ordered by time, the values count up one by one: the latest is the sum.
    const auto values = sql_rows("SELECT metric_value FROM trial_telemetry WHERE trial_id = 1 "
                                 "ORDER BY ts");
    ASSERT_EQ(values.size(), static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
        EXPECT_EQ(std::stoi(values[static_cast<std::size_t>(i)]), i + 1) << "sample " << i;
    }
    const TelemetrySample one =
        exp->post_telemetry(1, {before, "count", 1}, true, std::nullopt, PostTime::when_recorded);
    EXPECT_GT(one.time, before);
    EXPECT_EQ(one.value, total + 1);
}

TEST_P(PostDeleteTest, DeleteRemovesTheExperimentAndTheConfigsOnlyItUses)
{
    {
        auto storage = open();
        // x = 1 is shared; x = 2 and 3 belong to "gone" only.
        auto gone = make_experiment(*storage, "gone", {1, 2, 3});
        auto kept = make_experiment(*storage, "kept", {1, 4});
        for (auto* exp : {gone.get(), kept.get()}) {
            (void)exp->post_telemetry(1, {now(), "ops", 1}, false, "meta", PostTime::as_given);
            exp->add_telemetry(2, {{now(), "cpu", 0.5}});
            exp->save_trial_output(1, "out", "err", "");
            exp->update_trial(1, Status::succeeded, now(), {{"score", 3}});
            exp->finish(Status::succeeded, now());
        }
        const DeletedRows dry = storage->delete_experiment("gone", true);
        EXPECT_EQ(sql_count("SELECT COUNT(*) FROM trial WHERE exp_id = 'gone'"), 3);
        const DeletedRows deleted = storage->delete_experiment("gone", false);
        EXPECT_EQ(dry, deleted);
        const std::map<std::string, std::int64_t> by_table(deleted.begin(), deleted.end());
        EXPECT_EQ(by_table.at("experiment"), 1);
        EXPECT_EQ(by_table.at("trial"), 3);
        EXPECT_EQ(by_table.at("trial_param"), 3);
        EXPECT_EQ(by_table.at("trial_status"), 4);
        EXPECT_EQ(by_table.at("trial_result"), 1);
        EXPECT_EQ(by_table.at("trial_telemetry"), 2);
        EXPECT_EQ(by_table.at("trial_telemetry_metadata"), 1);
        EXPECT_EQ(by_table.at("trial_output"), 1);
        EXPECT_EQ(by_table.at("objectives"), 1);
        EXPECT_EQ(by_table.at("experiment_tunables"), 1);
        EXPECT_EQ(by_table.at("config"), 2);
        EXPECT_EQ(by_table.at("config_param"), 2);
    }
    for (const auto& table : m_db.experiment_tables()) {
        EXPECT_EQ(sql_count("SELECT COUNT(*) FROM " + table + " WHERE exp_id = 'gone'"), 0)
            << table;
        EXPECT_GT(sql_count("SELECT COUNT(*) FROM " + table + " WHERE exp_id = 'kept'"), 0)
            << table;
    }
    EXPECT_EQ(sql_rows("SELECT p.param_value FROM config c JOIN config_param p USING "
                       "(config_id) ORDER BY CAST(p.param_value AS INTEGER)"),
              (std::vector<std::string>{"1", "4"}));
    // The kept experiment still works: a new trial of a deleted config gets a new config row.
    auto storage = open();
    auto kept = make_experiment(*storage, "kept", {2});
    EXPECT_EQ(sql_count("SELECT COUNT(*) FROM config"), 3);
}

TEST_P(PostDeleteTest, DeleteRefusesWhileTheDriverRunsAndUnknownExperiments)
{
    auto storage = open();
    // The driver pid: this test's parent process, alive for sure.
    const int driver = static_cast<int>(::getppid());
    auto exp = make_experiment(*storage, "busy", {1}, driver);
    try {
        (void)storage->delete_experiment("busy", false);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "experiment 'busy' is being run by process " +
                                             std::to_string(driver) + " on " + host_name() +
                                             ": stop it before deleting the experiment");
    }
    EXPECT_EQ(sql_count("SELECT COUNT(*) FROM trial"), 1);
    exp->finish(Status::succeeded, now()); // releases the driver pid
    // Every table of ours and mlos_bench's with an exp_id (PostgreSQL's trial_metric_latest
    // too), and config and config_param.
    EXPECT_EQ(storage->delete_experiment("busy", false).size(), m_db.is_sqlite() ? 15U : 16U);
    EXPECT_EQ(sql_count("SELECT COUNT(*) FROM trial"), 0);
    try {
        (void)storage->delete_experiment("busy", false);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "there is no experiment 'busy' in " + m_db.location());
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, PostDeleteTest, testing::all_backends(), testing::backend_name);

} // namespace
} // namespace mlosbench
