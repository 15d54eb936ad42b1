// Several workers on one experiment: trial ids and claims given out by the storage's
// transactions, leases that lapse or die with their process, LeaseLost for a late worker,
// finish() releasing claims. Workers are separate Storage objects on one real database (a
// SQLite file, a PostgreSQL server), in threads of this process or in forked processes.
#include "mlosbench/util/error.hpp"
#include "support/storage_backends.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <numeric>
#include <set>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace mlosbench {
namespace {

using namespace std::chrono_literals;
using testing::Backend;

TunableGroups make_tunables()
{
    TunableGroups tunables;
    tunables.add_from_json(Json::parse(R"({"g": {"cost": 1, "params": {
        "x": {"type": "int", "range": [0, 1000], "default": 1}}}})"),
                           "tunables.jsonc");
    return tunables;
}

ExperimentSpec worker_spec(bool join = true)
{
    ExperimentSpec spec;
    spec.experiment_id = "shared";
    spec.objectives = {{"score", "min"}};
    spec.join = join;
    return spec;
}

std::vector<std::int64_t> ids_of(const std::vector<TrialRecord>& trials)
{
    std::vector<std::int64_t> ids;
    for (const auto& t : trials) {
        ids.push_back(t.trial_id);
    }
    return ids;
}

// A forked child that runs `body` once go() is called, with a pipe to write its output to,
// then lives on until wait() (a worker that exits is a dead worker). Fork before this process
// opens a connection or starts a thread: no SQLite connection and no lock held by another
// thread may cross a fork. The child opens its own storage.
class Forked
{
public:
    explicit Forked(const std::function<void(int)>& body)
    {
        int go[2];
        int out[2];
        if (::pipe(go) != 0 || ::pipe(out) != 0) {
            throw std::runtime_error("pipe");
        }
        m_pid = ::fork();
        if (m_pid == 0) {
            ::close(go[1]);
            ::close(out[0]);
            char byte = 0;
            int code = ::read(go[0], &byte, 1) == 1 ? 0 : 2;
            try {
                if (code == 0) {
                    body(out[1]);
                }
            } catch (const std::exception& e) {
                (void)!::write(out[1], e.what(), std::strlen(e.what()));
                code = 1;
            }
            ::close(out[1]);
            (void)!::read(go[0], &byte, 1); // until wait() says so
            ::_exit(code);
        }
        ::close(go[0]);
        ::close(out[1]);
        m_go = go[1];
        m_out = out[0];
    }
    ~Forked()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        for (const int fd : {m_go, m_out}) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    Forked(const Forked&) = delete;
    Forked& operator=(const Forked&) = delete;

    void go() { (void)!::write(m_go, "g", 1); }
    /// Lets the child end; what it wrote; a failure unless it exited 0.
    std::string wait()
    {
        // A byte, not the end of the pipe: a sibling forked later holds a copy of m_go.
        (void)!::write(m_go, "w", 1);
        std::string text;
        std::array<char, 4096> buffer{};
        for (ssize_t n = 0; (n = ::read(m_out, buffer.data(), buffer.size())) > 0;) {
            text.append(buffer.data(), static_cast<std::size_t>(n));
        }
        int status = 0;
        EXPECT_EQ(::waitpid(m_pid, &status, 0), m_pid);
        m_pid = -1;
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
        return text;
    }

private:
    pid_t m_pid = -1;
    int m_go = -1;
    int m_out = -1;
};

void write_text(int fd, const std::string& text) { (void)!::write(fd, text.data(), text.size()); }

class WorkersTest : public ::testing::TestWithParam<Backend>
{
protected:
    [[nodiscard]] std::unique_ptr<Storage> open() const { return m_db.open(); }
    [[nodiscard]] std::vector<std::string> sql_rows(const std::string& sql) const
    {
        return m_db.rows(sql);
    }

    TrialRecord add(ExperimentStorage& exp, std::int64_t x, std::int64_t max_total = 0) const
    {
        const TunableValues values{{"x", x}};
        auto record = exp.new_trial(values, m_tunables.canonical_text(values), Json::object(),
                                    now(), max_total);
        if (!record) {
            throw Error("no trial made");
        }
        return *record;
    }

    testing::StorageDatabase m_db{GetParam()};
    TunableGroups m_tunables = make_tunables();
};

TEST_P(WorkersTest, WorkersGetTheirOwnIdsAndTheRowsShowThem)
{
    auto storage = open();
    auto elsewhere = worker_spec(false);
    elsewhere.host = "host-a"; // on another machine: its lease alone tells whether it lives
    auto first = storage->open_experiment(elsewhere, m_tunables);
    auto second = open()->open_experiment(worker_spec(), m_tunables);
    EXPECT_EQ(first->worker_id(), 1);
    EXPECT_EQ(second->worker_id(), 2);
    EXPECT_FALSE(first->resumed());
    EXPECT_TRUE(second->resumed());
    // Without --join a live worker keeps others out.
    try {
        (void)open()->open_experiment(worker_spec(false), m_tunables);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "experiment 'shared' is being run by process " +
                                             std::to_string(::getpid()) +
                                             " on host-a (use --join to work on it beside it)");
    }
    first->finish(Status::succeeded, now());

    const auto workers = m_db.reader()->workers("shared");
    ASSERT_EQ(workers.size(), 2U);
    EXPECT_EQ(workers[0].worker_id, 1);
    EXPECT_EQ(workers[0].host, "host-a");
    EXPECT_EQ(workers[1].host, testing::host_name());
    EXPECT_EQ(workers[0].pid, ::getpid());
    EXPECT_EQ(workers[0].state, "finished");
    EXPECT_TRUE(workers[0].ts_end.has_value());
    EXPECT_LE(workers[0].ts_start, workers[0].ts_heartbeat);
    EXPECT_EQ(workers[1].state, "running");
    EXPECT_FALSE(workers[1].ts_end.has_value());
    EXPECT_TRUE(m_db.reader()->workers("nope").empty());
}

TEST_P(WorkersTest, NewTrialsAreClaimedByTheirMakerAndClaimsAreExclusive)
{
    {
        auto maker = open()->open_experiment(worker_spec(), m_tunables);
        for (int x = 0; x < 40; ++x) {
            (void)add(*maker, x);
        }
        auto other = open()->open_experiment(worker_spec(), m_tunables);
        // The maker lives and holds them all.
        EXPECT_TRUE(other->claim_trials().empty());
        EXPECT_EQ(other->others_in_flight().size(), 40U);
        EXPECT_TRUE(maker->others_in_flight().empty());
        maker->finish(Status::succeeded, now());
        other->finish(Status::succeeded, now());
    }
    // Two threads and a process claim at once: each trial goes to exactly one of them.
    Forked child([&](int fd) {
        auto exp = open()->open_experiment(worker_spec(), m_tunables);
        for (const auto id : ids_of(exp->claim_trials())) {
            write_text(fd, std::to_string(id) + " ");
        }
    });
    std::vector<std::int64_t> a;
    std::vector<std::int64_t> b;
    const auto claim = [&](std::vector<std::int64_t>& ids) {
        ids = ids_of(open()->open_experiment(worker_spec(), m_tunables)->claim_trials());
    };
    child.go();
    std::thread ta([&] { claim(a); });
    std::thread tb([&] { claim(b); });
    ta.join();
    tb.join();
    const std::string claimed_there = child.wait();
    std::vector<std::int64_t> all = a;
    all.insert(all.end(), b.begin(), b.end());
    std::istringstream in(claimed_there);
    for (std::int64_t id = 0; in >> id;) {
        all.push_back(id);
    }
    std::sort(all.begin(), all.end());
    std::vector<std::int64_t> expected(40);
    std::iota(expected.begin(), expected.end(), 1);
    EXPECT_EQ(all, expected);
}

TEST_P(WorkersTest, TrialIdsAreUniqueAcrossThreadsAndProcesses)
{
    constexpr int k_each = 15;
    std::vector<std::unique_ptr<Forked>> processes;
    for (int p = 0; p < 2; ++p) {
        processes.push_back(std::make_unique<Forked>([&](int) {
            auto own = open()->open_experiment(worker_spec(), m_tunables);
            for (int i = 0; i < k_each; ++i) {
                (void)add(*own, i);
            }
        }));
    }
    auto storage = open();
    auto exp = storage->open_experiment(worker_spec(), m_tunables);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (auto& p : processes) {
        p->go();
    }
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            try {
                // One thread records through this worker, one is a worker of its own.
                auto own = t == 0 ? nullptr : open()->open_experiment(worker_spec(), m_tunables);
                for (int i = 0; i < k_each; ++i) {
                    (void)add(own ? *own : *exp, i);
                }
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << e.what();
            }
        });
    }
    for (int i = 0; i < k_each; ++i) {
        (void)add(*exp, i);
    }
    for (auto& t : threads) {
        t.join();
    }
    for (auto& p : processes) {
        (void)p->wait();
    }
    EXPECT_EQ(failures.load(), 0);
    constexpr int k_total = 5 * k_each;
    EXPECT_EQ(sql_rows("SELECT COUNT(DISTINCT trial_id), MIN(trial_id), MAX(trial_id) "
                       "FROM trial"),
              std::vector<std::string>{std::to_string(k_total) + "|1|" + std::to_string(k_total)});
    // Each claimed by the worker that made it.
    EXPECT_EQ(sql_rows("SELECT COUNT(*) FROM trial_claim"),
              std::vector<std::string>{std::to_string(k_total)});
    const TrialCounts counts = exp->trial_counts();
    EXPECT_EQ(counts.total, k_total);
    EXPECT_EQ(counts.finished, 0);
    EXPECT_EQ(counts.oldest_unfinished, 1);
    EXPECT_EQ(counts.last_id, k_total);
}

TEST_P(WorkersTest, TotalTrialsCapTheExperimentAcrossWorkers)
{
    auto exp = open()->open_experiment(worker_spec(), m_tunables);
    auto other = open()->open_experiment(worker_spec(), m_tunables);
    std::atomic<int> made{0};
    const auto make = [&](ExperimentStorage& worker) {
        for (int i = 0; i < 20; ++i) {
            const TunableValues values{{"x", std::int64_t{i}}};
            if (worker.new_trial(values, m_tunables.canonical_text(values), Json::object(), now(),
                                 7)) {
                ++made;
            }
        }
    };
    std::thread t([&] { make(*other); });
    make(*exp);
    t.join();
    EXPECT_EQ(made.load(), 7);
    EXPECT_EQ(exp->trial_counts().total, 7);
    // A cap already passed makes nothing; 0 is no cap.
    EXPECT_FALSE(exp->new_trial({{"x", std::int64_t{1}}}, "t", Json::object(), now(), 3));
    EXPECT_EQ(add(*exp, 1, 0).trial_id, 8);
    exp->update_trial(8, Status::running, now());
    exp->update_trial(8, Status::failed, now());
    EXPECT_EQ(exp->trial_counts().finished, 1);
}

TEST_P(WorkersTest, ALapsedLeaseHandsTheTrialOverAndTheLateWorkerCannotRecord)
{
    auto late = open()->open_experiment(worker_spec(), m_tunables);
    const auto trial = add(*late, 5);
    late->update_trial(trial.trial_id, Status::running, now());
    (void)late->heartbeat();
    // The other worker's lease timeout is 1 ms: the late worker's heartbeat lapses for it
    // as soon as a millisecond has passed.
    auto spec = worker_spec();
    spec.lease_timeout = 1ms;
    auto taker = open()->open_experiment(spec, m_tunables);
    std::vector<TrialRecord> taken;
    ASSERT_TRUE(testing::wait_until([&] {
        taken = taker->claim_trials();
        return !taken.empty();
    }));
    ASSERT_EQ(ids_of(taken), std::vector<std::int64_t>{trial.trial_id});
    EXPECT_EQ(taken[0].status, Status::running);
    EXPECT_EQ(taken[0].config, (TunableValues{{"x", std::int64_t{5}}}));

    const std::string lost = "trial 1 of experiment 'shared' was taken over by worker 2 (process " +
                             std::to_string(::getpid()) + " on " + testing::host_name() +
                             ") when the lease of worker 1 lapsed: its record is dropped";
    const auto refused = [&](auto&& record) {
        try {
            record();
        } catch (const LeaseLost& e) {
            return std::string(e.what());
        }
        return std::string("recorded");
    };
    EXPECT_EQ(refused([&] {
                  late->update_trial(1, Status::succeeded, now(), {{"score", 9}});
              }),
              lost);
    EXPECT_EQ(refused([&] { late->add_telemetry(1, {{now(), "cpu", 1}}); }), lost);
    EXPECT_EQ(refused([&] { late->save_trial_output(1, "late", "", ""); }), lost);
    EXPECT_EQ(refused([&] { late->assign_runner(1, 3); }), lost);
    // It hears that it was declared lost once, then it is running again.
    EXPECT_FALSE(late->heartbeat());
    EXPECT_TRUE(late->heartbeat());

    // The trial runs again under its id; the history shows both runs.
    taker->update_trial(1, Status::running, now());
    taker->update_trial(1, Status::succeeded, now(), {{"score", 4}});
    EXPECT_EQ(sql_rows("SELECT status FROM trial_status ORDER BY ts"),
              (std::vector<std::string>{"RUNNING", "RUNNING", "SUCCEEDED"}));
    EXPECT_EQ(sql_rows("SELECT metric_id, metric_value FROM trial_result"),
              std::vector<std::string>{"score|4"});
    EXPECT_EQ(sql_rows("SELECT COUNT(*) FROM trial_telemetry"), std::vector<std::string>{"0"});
    // An attached process (post-metric) is no worker and records into any trial.
    open()->attach_experiment("shared")->add_telemetry(1, {{now(), "cpu", 2}});
    EXPECT_EQ(sql_rows("SELECT COUNT(*) FROM trial_telemetry"), std::vector<std::string>{"1"});
}

TEST_P(WorkersTest, AWorkerKilledOnThisHostLosesItsTrialsAtOnce)
{
    // The child registers, makes two trials, starts one, tells, and waits to be killed -9.
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(ready[0]);
        try {
            auto exp = open()->open_experiment(worker_spec(), m_tunables);
            (void)add(*exp, 1);
            (void)add(*exp, 2);
            exp->update_trial(1, Status::running, now());
            write_text(ready[1], "r");
        } catch (...) {
            ::_exit(1);
        }
        ::pause();
        ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    ::close(ready[0]);
    auto exp = open()->open_experiment(worker_spec(), m_tunables);
    EXPECT_TRUE(exp->claim_trials().empty()); // alive, heartbeat fresh: its trials are its own
    EXPECT_EQ(exp->others_in_flight().size(), 2U);
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    ASSERT_EQ(::waitpid(child, nullptr, 0), child); // reaped: a zombie would count as alive
    // Its heartbeat is fresh and the lease 60 s, but its pid is gone from this host.
    const auto taken = exp->claim_trials();
    EXPECT_EQ(ids_of(taken), (std::vector<std::int64_t>{1, 2}));
    EXPECT_TRUE(exp->others_in_flight().empty());
    const auto workers = m_db.reader()->workers("shared");
    ASSERT_EQ(workers.size(), 2U);
    EXPECT_EQ(workers[0].pid, child);
    EXPECT_EQ(workers[0].state, "lost");
}

TEST_P(WorkersTest, FinishReleasesClaimsAndTheLastWorkerEndsTheExperiment)
{
    auto first = open()->open_experiment(worker_spec(), m_tunables);
    auto second = open()->open_experiment(worker_spec(), m_tunables);
    for (int x = 0; x < 3; ++x) {
        (void)add(*first, x);
    }
    first->update_trial(1, Status::running, now());
    first->update_trial(1, Status::succeeded, now(), {{"score", 1}});
    EXPECT_TRUE(second->claim_trials().empty());
    first->finish(Status::succeeded, now());
    // Another worker lives: the experiment goes on.
    EXPECT_EQ(sql_rows("SELECT status, ts_end FROM experiment"),
              std::vector<std::string>{"RUNNING|<null>"});
    EXPECT_EQ(ids_of(second->claim_trials()), (std::vector<std::int64_t>{2, 3}));
    second->finish(Status::failed, now());
    EXPECT_EQ(sql_rows("SELECT status, ts_end IS NOT NULL, driver_pid FROM experiment"),
              std::vector<std::string>{"FAILED|1|<null>"});
    EXPECT_EQ(sql_rows("SELECT worker_id, state FROM experiment_worker ORDER BY 1"),
              (std::vector<std::string>{"1|finished", "2|finished"}));
}

TEST_P(WorkersTest, TwoProcessesJoiningANewExperimentAtOnceBothSucceed)
{
    std::vector<std::unique_ptr<Forked>> processes;
    for (int p = 0; p < 3; ++p) {
        processes.push_back(std::make_unique<Forked>([&](int fd) {
            auto exp = open()->open_experiment(worker_spec(), m_tunables);
            write_text(fd, exp->resumed() ? "joined" : "created");
            (void)add(*exp, 1);
        }));
    }
    for (auto& p : processes) {
        p->go();
    }
    std::vector<std::string> outputs;
    for (auto& p : processes) {
        outputs.push_back(p->wait());
    }
    std::sort(outputs.begin(), outputs.end());
    EXPECT_EQ(outputs, (std::vector<std::string>{"created", "joined", "joined"}));
    EXPECT_EQ(sql_rows("SELECT COUNT(*) FROM experiment"), std::vector<std::string>{"1"});
    EXPECT_EQ(sql_rows("SELECT COUNT(*), COUNT(DISTINCT worker_id) FROM "
                       "experiment_worker"),
              std::vector<std::string>{"3|3"});
    EXPECT_EQ(sql_rows("SELECT COUNT(*) FROM trial"), std::vector<std::string>{"3"});
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkersTest, testing::all_backends(), testing::backend_name);

} // namespace
} // namespace mlosbench
