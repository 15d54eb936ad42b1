// Several `mlosbench run --join` processes on one experiment, in one SQLite file and in one
// PostgreSQL database: trials shared out once each, a killed or stopped worker's trial taken
// over, --total-trials.
#include "support/storage_backends.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

class Workers : public ::testing::TestWithParam<Backend>
{
protected:
    Workers() : m_db(GetParam()) {}

    [[nodiscard]] std::vector<std::string> worker_args(const TempDir& dir, const std::string& exp,
                                                       std::int64_t total) const;
    [[nodiscard]] std::vector<std::string> rows(const std::string& sql) const
    {
        return m_db.rows(sql);
    }

    StorageDatabase m_db;
};

std::vector<std::string> Workers::worker_args(const TempDir& dir, const std::string& exp,
                                              std::int64_t total) const
{
    return {"--environment",   e2e_config("worker_env.jsonc"),
            "--optimizer",     e2e_config("mock_opt.jsonc"),
            "--state_dir",     dir.path().string(),
            "--storage",       m_db.storage_argument(),
            "--experiment-id", exp,
            "--join",          "--total-trials",
            std::to_string(total), "--max_suggestions", "100",
            "--json"};
}

/// The trial ids the trials' scripts appended to $state_dir/ran, with how often each ran.
std::map<int, int> ran(const TempDir& dir)
{
    std::ifstream in(dir.path() / "ran");
    std::map<int, int> out;
    for (int id = 0; in >> id;) {
        ++out[id];
    }
    return out;
}

} // namespace

TEST_P(Workers, ThreeWorkersOfTwoRunnersRunEveryTrialOnce)
{
    TempDir dir;
    TempDir capture;
    auto args = worker_args(dir, "shared", 30);
    args.insert(args.end(), {"--num-trial-runners", "2"});
    std::vector<RunningCommand> workers;
    for (int i = 0; i < 3; ++i) {
        const fs::path sub = capture.path() / std::to_string(i);
        fs::create_directories(sub);
        workers.push_back(start_mlosbench(args, dir.path(), sub));
    }
    std::int64_t by_workers = 0;
    for (const auto& w : workers) {
        const CommandResult r = wait_for(w);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto summary = nlohmann::json::parse(r.out);
        by_workers += summary["trials"]["total"].get<std::int64_t>();
        // Every worker's optimizer learned of all 30 trials, its own and the others'.
        EXPECT_EQ(summary["trials"]["observed"], 30) << r.out;
    }
    EXPECT_EQ(by_workers, 30);
    EXPECT_EQ(rows("SELECT COUNT(*), MIN(trial_id), MAX(trial_id) FROM trial WHERE "
                           "exp_id = 'shared' AND status = 'SUCCEEDED'"),
              std::vector<std::string>{"30|1|30"});
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial WHERE exp_id = 'shared'"),
              std::vector<std::string>{"30"});
    // One run each: a RUNNING and a SUCCEEDED row per trial in the status history.
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial_status WHERE exp_id = 'shared'"),
              std::vector<std::string>{"60"});
    const auto runs = ran(dir);
    ASSERT_EQ(runs.size(), 30U);
    for (const auto& [id, n] : runs) {
        EXPECT_EQ(n, 1) << "trial " << id;
    }
    EXPECT_EQ(rows("SELECT COUNT(DISTINCT pid), COUNT(*) FROM experiment_worker WHERE "
                           "exp_id = 'shared' AND state = 'finished'"),
              std::vector<std::string>{"3|3"});
}

TEST_P(Workers, AKilledWorkersTrialIsRunAgainByAnother)
{
    TempDir dir;
    TempDir capture;
    auto first_args = worker_args(dir, "kill9", 4);
    first_args.insert(first_args.end(), {"--hang_here", "1"});
    const RunningCommand first = start_mlosbench(first_args, dir.path(), capture.path());
    ASSERT_TRUE(wait_for_file(dir.path() / "pgid")) << read_file(first.err_path);
    ::kill(first.pid, SIGKILL);
    EXPECT_EQ(wait_for(first).exit_code, 128 + SIGKILL);
    // Its trial's script lives on, as on a machine that lost its driver: end it.
    ::kill(-std::stoi(read_file(dir.path() / "pgid")), SIGKILL);
    const std::string hung = read_file(dir.path() / "hung");
    const std::string hung_id = hung.substr(0, hung.find('\n'));
    EXPECT_EQ(rows("SELECT status FROM trial WHERE trial_id = " + hung_id),
              std::vector<std::string>{"RUNNING"});

    // A worker on this host sees that the pid is gone: the trial is free at once.
    const CommandResult second = run_mlosbench(worker_args(dir, "kill9", 4), dir.path());
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial WHERE status = 'SUCCEEDED'"),
              std::vector<std::string>{"4"});
    EXPECT_EQ(rows("SELECT status FROM trial_status WHERE trial_id = " + hung_id +
                               " ORDER BY ts"),
              (std::vector<std::string>{"RUNNING", "RUNNING", "SUCCEEDED"}));
    EXPECT_EQ(rows("SELECT state FROM experiment_worker ORDER BY worker_id"),
              (std::vector<std::string>{"lost", "finished"}));
}

TEST_P(Workers, AStoppedWorkerLosesItsTrialAndCannotOverwriteItLater)
{
    TempDir dir;
    TempDir capture;
    auto first_args = worker_args(dir, "stopped", 3);
    first_args.insert(first_args.end(), {"--hang_here", "1", "--lease-timeout", "2"});
    const RunningCommand first = start_mlosbench(first_args, dir.path(), capture.path());
    ASSERT_TRUE(wait_for_file(dir.path() / "pgid")) << read_file(first.err_path);
    // Alive but silent, as on a machine cut off from the database.
    ASSERT_EQ(::kill(first.pid, SIGSTOP), 0);
    auto second_args = worker_args(dir, "stopped", 3);
    second_args.insert(second_args.end(), {"--lease-timeout", "2"});
    const CommandResult second = run_mlosbench(second_args, dir.path());
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial WHERE status = 'SUCCEEDED'"),
              std::vector<std::string>{"3"});
    const std::string hung = read_file(dir.path() / "hung");
    const std::string hung_id = hung.substr(0, hung.find('\n'));
    const std::string result_sql =
        "SELECT metric_value FROM trial_result WHERE trial_id = " + hung_id;
    const auto taken_over_result = rows(result_sql);
    const auto history = rows("SELECT COUNT(*) FROM trial_status WHERE trial_id = " +
                                          hung_id);

    // The first worker comes back: its trial ends, and its result is refused.
    {
        std::ofstream go(dir.path() / "go");
    }
    ASSERT_EQ(::kill(first.pid, SIGCONT), 0);
    const CommandResult late = wait_for(first);
    EXPECT_NE(late.err.find("this run of it is dropped"), std::string::npos) << late.err;
    EXPECT_EQ(rows(result_sql), taken_over_result);
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial_status WHERE trial_id = " + hung_id),
              history);
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial"), std::vector<std::string>{"3"});
}


TEST_P(Workers, TotalTrialsFinishesAResumedExperimentToN)
{
    TempDir dir;
    // worker_args joins; a resumed run without --join counts the same way.
    auto args = [&](std::int64_t total) {
        auto a = worker_args(dir, "resume", total);
        a.erase(std::find(a.begin(), a.end(), "--join"));
        return a;
    };
    const auto run_to = [&](std::int64_t total) {
        const CommandResult r = run_mlosbench(args(total), dir.path());
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out)["trials"];
    };
    auto trials = run_to(3);
    EXPECT_EQ(trials["total"], 3);
    trials = run_to(5);
    EXPECT_EQ(trials["total"], 2) << trials;    // what this run did
    EXPECT_EQ(trials["observed"], 5) << trials; // what the experiment holds
    EXPECT_EQ(rows("SELECT COUNT(*), MAX(trial_id) FROM trial WHERE status = 'SUCCEEDED'"),
              std::vector<std::string>{"5|5"});
    trials = run_to(5);
    EXPECT_EQ(trials["total"], 0) << trials;
    EXPECT_EQ(rows("SELECT COUNT(*) FROM trial"), std::vector<std::string>{"5"});
}

INSTANTIATE_TEST_SUITE_P(Backends, Workers, all_backends(), backend_name);
