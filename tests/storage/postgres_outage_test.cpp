// The PostgreSQL server goes away under a running experiment: recordings made while it is
// down wait for it and are all there once, exactly once, when it is back; one that stays
// down longer than the bound ends in a clear Error. Its own server, stopped and started.
#include "mlosbench/storage/postgres_storage.hpp"
#include "mlosbench/util/error.hpp"
#include "support/postgres_server.hpp"
#include "support/test_support.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <memory>
#include <mutex>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <string>
#include <thread>
#include <vector>

namespace mlosbench {
namespace {

using namespace std::chrono_literals;
using testing::PostgresServer;

// Counts the log messages that contain `text`.
class LogWatch final : public spdlog::sinks::base_sink<std::mutex>
{
public:
    explicit LogWatch(std::string text) : m_text(std::move(text)) {}
    [[nodiscard]] int seen() const { return m_seen.load(); }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        if (std::string_view(msg.payload.data(), msg.payload.size()).find(m_text) !=
            std::string_view::npos) {
            ++m_seen;
        }
    }
    void flush_() override {}

private:
    std::string m_text;
    std::atomic<int> m_seen{0};
};

// Installs a LogWatch on the default logger for the scope.
class WatchedLog
{
public:
    explicit WatchedLog(const std::string& text) : m_watch(std::make_shared<LogWatch>(text))
    {
        spdlog::default_logger()->sinks().push_back(m_watch);
    }
    ~WatchedLog()
    {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_watch), sinks.end());
    }
    WatchedLog(const WatchedLog&) = delete;
    WatchedLog& operator=(const WatchedLog&) = delete;
    [[nodiscard]] int seen() const { return m_watch->seen(); }

private:
    std::shared_ptr<LogWatch> m_watch;
};

class PostgresOutage : public ::testing::Test
{
protected:
    static void SetUpTestSuite() { s_server = std::make_unique<PostgresServer>(); }
    static void TearDownTestSuite() { s_server.reset(); }
    void TearDown() override { s_server->start(); } // up again for the next test

    [[nodiscard]] std::unique_ptr<Storage> open(PostgresOptions options)
    {
        return open_postgres_storage(
            parse_postgres_url(s_server->url_with_password(m_database), "test"), options);
    }
    [[nodiscard]] std::vector<std::string> rows(const std::string& sql) const
    {
        return s_server->rows(m_database, sql);
    }

    static inline std::unique_ptr<PostgresServer> s_server;
    std::string m_database = s_server->create_database();
    TunableGroups m_tunables;
};

ExperimentSpec spec()
{
    ExperimentSpec s;
    s.experiment_id = "e";
    s.objectives = {{"score", "min"}};
    return s;
}

TEST_F(PostgresOutage, RecordingsWaitForTheServerAndLandExactlyOnce)
{
    auto storage = open({});
    auto exp = storage->open_experiment(spec(), m_tunables);
    const auto trial = exp->new_trial({}, "c", Json::object(), now()).value();
    exp->update_trial(trial.trial_id, Status::running, now());
    exp->add_telemetry(trial.trial_id, {{now(), "before", 1}});

    const WatchedLog lost("the connection to the database was lost");
    s_server->stop();
    std::string failure;
    std::thread recorder([&] {
        try {
            for (int i = 0; i < 5; ++i) {
                exp->add_telemetry(trial.trial_id, {{now(), "during", i}});
            }
            exp->save_trial_output(trial.trial_id, "out", "", "");
            exp->update_trial(trial.trial_id, Status::succeeded, now(), {{"score", 3}});
        } catch (const std::exception& e) {
            failure = e.what();
        }
    });
    // Back once the recorder has found it gone and is trying to connect again.
    ASSERT_TRUE(testing::wait_until([&] { return lost.seen() > 0; }));
    s_server->start();
    recorder.join();
    EXPECT_EQ(failure, "");
    EXPECT_EQ(rows("SELECT metric_id, COUNT(*) FROM trial_telemetry GROUP BY metric_id ORDER BY 1"),
              (std::vector<std::string>{"before|1", "during|5"}));
    EXPECT_EQ(rows("SELECT status FROM trial_status ORDER BY ts"),
              (std::vector<std::string>{"RUNNING", "SUCCEEDED"}));
    EXPECT_EQ(rows("SELECT metric_id, metric_value FROM trial_result"),
              std::vector<std::string>{"score|3"});
    EXPECT_EQ(rows("SELECT stdout_tail FROM trial_output"), std::vector<std::string>{"out"});
    // The connection is good again for what comes next.
    exp->finish(Status::succeeded, now());
    EXPECT_EQ(rows("SELECT status FROM experiment"), std::vector<std::string>{"SUCCEEDED"});
}

TEST_F(PostgresOutage, AServerDownLongerThanTheBoundIsAClearError)
{
    PostgresOptions options;
    options.reconnect_limit = 300ms;
    auto storage = open(options);
    auto exp = storage->open_experiment(spec(), m_tunables);
    const auto trial = exp->new_trial({}, "c", Json::object(), now()).value();
    s_server->stop();
    const auto started = std::chrono::steady_clock::now();
    try {
        exp->update_trial(trial.trial_id, Status::running, now());
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string message = e.what();
        const std::string prefix = s_server->url(m_database) +
                                   ": recording the status of trial 1: the database cannot be "
                                   "reached (";
        EXPECT_EQ(message.rfind(prefix, 0), 0U) << message;
        EXPECT_NE(message.find("); gave up after 0.3 s of trying to connect again"),
                  std::string::npos)
            << message;
        EXPECT_EQ(message.find(PostgresServer::password()), std::string::npos) << message;
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
    // Nothing half-done: the trial is as it was.
    s_server->start();
    EXPECT_EQ(rows("SELECT status FROM trial"), std::vector<std::string>{"PENDING"});
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial_status"), std::vector<std::string>{"0"});
}

} // namespace
} // namespace mlosbench
