#include "mlosbench/storage/sqlite_storage.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <atomic>
#include <gtest/gtest.h>
#include <regex>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace mlosbench {
namespace {

using testing::host_name;
using testing::TempDir;
using namespace std::chrono_literals;

constexpr const char* k_tunables = R"({
    "kernel": {"cost": 1, "params": {
        "workers": {"type": "int", "range": [1, 64], "default": 4},
        "ratio": {"type": "float", "range": [0, 1], "default": 0.5}
    }},
    "app": {"cost": 10, "params": {
        "mode": {"type": "categorical", "values": ["fast", "safe"], "default": "fast"}
    }}
})";

TunableGroups make_tunables(const char* text = k_tunables)
{
    TunableGroups tunables;
    tunables.add_from_json(Json::parse(text), "tunables.jsonc");
    return tunables;
}

ExperimentSpec make_spec(const std::string& id = "exp1")
{
    ExperimentSpec spec;
    spec.experiment_id = id;
    spec.description = "mock";
    spec.root_env_config = "environments/mock.jsonc";
    spec.objectives = {{"score", "min"}};
    return spec;
}

Timestamp at(const std::string& text) { return *parse_timestamp(text); }

// Reads one value back with plain SQL.
std::string query_text(SQLite::Database& db, const std::string& sql)
{
    SQLite::Statement query(db, sql);
    if (!query.executeStep()) {
        return "<no row>";
    }
    return query.getColumn(0).isNull() ? "<null>" : query.getColumn(0).getString();
}

int query_int(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt(); }

std::vector<std::string> query_rows(SQLite::Database& db, const std::string& sql)
{
    std::vector<std::string> rows;
    SQLite::Statement query(db, sql);
    while (query.executeStep()) {
        std::string row;
        for (int i = 0; i < query.getColumnCount(); ++i) {
            row += (i == 0 ? "" : "|") +
                   (query.getColumn(i).isNull() ? "<null>" : query.getColumn(i).getString());
        }
        rows.push_back(row);
    }
    return rows;
}

class SqliteStorageTest : public ::testing::Test
{
protected:
    [[nodiscard]] std::unique_ptr<Storage> open() const { return open_sqlite_storage(m_path); }
    [[nodiscard]] SQLite::Database read() const
    {
        return SQLite::Database(m_path, SQLite::OPEN_READONLY);
    }

    TempDir m_dir;
    std::string m_path = (m_dir.path() / "mlosbench.db").string();
    TunableGroups m_tunables = make_tunables();
};

TrialRecord add_trial(ExperimentStorage& exp,
                      const TunableGroups& tunables,
                      const TunableValues& values,
                      const Json& metadata = Json::object())
{
    return exp.new_trial(values, tunables.canonical_text(values), metadata, now()).value();
}

TEST_F(SqliteStorageTest, RecordsATrialsWholeLife)
{
    const TunableValues values{{"workers", std::int64_t{8}}, {"ratio", 0.25}, {"mode", "safe"}};
    {
        auto storage = open();
        auto exp = storage->open_experiment(make_spec(), m_tunables);
        EXPECT_FALSE(exp->resumed());
        const auto trial = exp->new_trial(values, m_tunables.canonical_text(values),
                                          {{"optimizer", "MockOptimizer"}, {"repeat_i", 1}},
                                          at("2024-05-06 07:08:09.123456"))
                               .value();
        EXPECT_EQ(trial.trial_id, 1);
        EXPECT_EQ(trial.status, Status::pending);
        exp->assign_runner(1, 2);
        exp->update_trial(1, Status::running, at("2024-05-06 07:08:10.000001"));
        exp->add_telemetry(1, {{at("2024-05-06 07:08:11"), "cpu", 0.75},
                               {at("2024-05-06 07:08:11"), "phase", "warmup"}});
        exp->save_trial_output(1, "out tail", "err tail", "");
        exp->update_trial(1, Status::succeeded, at("2024-05-06 07:08:12.5"),
                          {{"score", 12.5}, {"ops", 100}, {"note", "ok"}});
        const auto completed = exp->load_completed(0);
        ASSERT_EQ(completed.size(), 1U);
        EXPECT_EQ(completed[0].config, values);
        EXPECT_EQ(completed[0].results, (Json{{"note", "ok"}, {"ops", 100}, {"score", 12.5}}));
        exp->finish(Status::succeeded, at("2024-05-06 07:09:00"));
    }

    auto db = read();
    const std::regex timestamp(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})");
    EXPECT_EQ(query_rows(db, "SELECT exp_id, description, root_env_config, git_repo, git_commit, "
                             "ts_end, status, driver_name, driver_pid FROM experiment"),
              std::vector<std::string>{"exp1|mock|environments/mock.jsonc|||2024-05-06 "
                                       "07:09:00.000000|SUCCEEDED|mlosbench|<null>"});
    EXPECT_TRUE(std::regex_match(query_text(db, "SELECT ts_start FROM experiment"), timestamp));
    EXPECT_EQ(query_rows(db, "SELECT * FROM objectives"),
              std::vector<std::string>{"exp1|score|min|<null>"});
    EXPECT_EQ(query_rows(db, "SELECT * FROM trial"),
              std::vector<std::string>{"exp1|1|1|2|2024-05-06 07:08:10.000001|2024-05-06 "
                                       "07:08:12.500000|SUCCEEDED"});
    EXPECT_EQ(query_rows(db, "SELECT * FROM config_param ORDER BY param_id"),
              (std::vector<std::string>{"1|mode|safe", "1|ratio|0.25", "1|workers|8"}));
    EXPECT_EQ(query_rows(db, "SELECT * FROM trial_param ORDER BY param_id"),
              (std::vector<std::string>{"exp1|1|optimizer|MockOptimizer", "exp1|1|repeat_i|1"}));
    EXPECT_EQ(query_rows(db, "SELECT * FROM trial_status ORDER BY ts"),
              (std::vector<std::string>{"exp1|1|2024-05-06 07:08:10.000001|RUNNING",
                                        "exp1|1|2024-05-06 07:08:12.500000|SUCCEEDED"}));
    EXPECT_EQ(query_rows(db, "SELECT * FROM trial_result ORDER BY metric_id"),
              (std::vector<std::string>{"exp1|1|note|ok", "exp1|1|ops|100", "exp1|1|score|12.5"}));
    EXPECT_EQ(query_rows(db, "SELECT * FROM trial_telemetry ORDER BY metric_id"),
              (std::vector<std::string>{"exp1|1|2024-05-06 07:08:11.000000|cpu|0.75",
                                        "exp1|1|2024-05-06 07:08:11.000000|phase|warmup"}));
    EXPECT_EQ(query_rows(db, "SELECT * FROM trial_output"),
              std::vector<std::string>{"exp1|1|out tail|err tail|"});
    EXPECT_EQ(query_text(db, "SELECT tunables FROM experiment_tunables"),
              m_tunables.definitions_json().dump());
}

TEST_F(SqliteStorageTest, LoadsValuesBackTyped)
{
    auto storage = open();
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    // A float that happens to be integral stays a float; an int stays an int.
    const TunableValues values{{"workers", std::int64_t{3}}, {"ratio", 1.0}, {"mode", "fast"}};
    const auto trial = add_trial(*exp, m_tunables, values, {{"is_defaults", true}});
    exp->update_trial(trial.trial_id, Status::running, now());
    exp->update_trial(trial.trial_id, Status::failed, now());
    const auto completed = exp->load_completed(0);
    ASSERT_EQ(completed.size(), 1U);
    EXPECT_EQ(completed[0].status, Status::failed);
    EXPECT_EQ(completed[0].config, values);
    EXPECT_TRUE(std::holds_alternative<double>(completed[0].config.at("ratio")));
    EXPECT_TRUE(completed[0].results.empty());
    EXPECT_EQ(exp->load_config(trial.config_id), values);
    EXPECT_TRUE(exp->load_completed(trial.trial_id).empty());
}

TEST_F(SqliteStorageTest, DeduplicatesConfigsBySha256OfTheirText)
{
    auto storage = open();
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    const TunableValues a{{"workers", std::int64_t{1}}, {"ratio", 0.5}, {"mode", "fast"}};
    const TunableValues b{{"workers", std::int64_t{2}}, {"ratio", 0.5}, {"mode", "fast"}};
    const auto t1 = add_trial(*exp, m_tunables, a);
    const auto t2 = add_trial(*exp, m_tunables, b);
    const auto t3 = add_trial(*exp, m_tunables, a);
    const auto t4 = exp->new_trial(a, "abc", Json::object(), now()).value();
    EXPECT_EQ(t1.config_id, t3.config_id);
    EXPECT_NE(t1.config_id, t2.config_id);
    EXPECT_NE(t4.config_id, t1.config_id);

    auto db = read();
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM config"), 3);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM config_param"), 9);
    EXPECT_EQ(query_text(db, "SELECT config_hash FROM config WHERE config_id = " +
                                 std::to_string(t4.config_id)),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(SqliteStorageTest, ResumeContinuesIdsAndRelistsInterruptedTrials)
{
    const TunableValues values = m_tunables.defaults();
    {
        auto storage = open();
        auto exp = storage->open_experiment(make_spec(), m_tunables);
        for (int i = 0; i < 5; ++i) {
            (void)add_trial(*exp, m_tunables, values, {{"repeat_i", i + 1}});
        }
        exp->update_trial(1, Status::running, now());
        exp->update_trial(1, Status::succeeded, now(), {{"score", 1}});
        exp->update_trial(2, Status::running, now()); // then the driver crashed
        exp->update_trial(3, Status::running, now());
        exp->update_trial(3, Status::canceled, now()); // interrupted
        exp->update_trial(4, Status::ready, now());
        // No finish(): a crash.
    }
    auto storage = open();
    auto spec = make_spec();
    spec.first_trial_id = 100; // only for new experiments
    auto exp = storage->open_experiment(spec, m_tunables);
    EXPECT_TRUE(exp->resumed());

    std::vector<std::int64_t> ids;
    const auto claimed = exp->claim_trials();
    for (const auto& t : claimed) {
        ids.push_back(t.trial_id);
        EXPECT_EQ(t.config, values);
    }
    EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3, 4, 5}));
    ASSERT_EQ(claimed.size(), 4U);
    EXPECT_EQ(claimed[3].status, Status::pending);
    EXPECT_EQ(claimed[3].metadata, (Json{{"repeat_i", 5}}));
    EXPECT_EQ(claimed[0].status, Status::running);
    // Held now: not claimed twice.
    EXPECT_TRUE(exp->claim_trials().empty());
    EXPECT_EQ(add_trial(*exp, m_tunables, values).trial_id, 6);

    // The canceled trial runs again under its id; its history shows both runs.
    exp->update_trial(3, Status::running, at("2030-01-01 00:00:00"));
    exp->update_trial(3, Status::succeeded, at("2030-01-01 00:00:01"), {{"score", 3}});
    // So does the one the crash left RUNNING; its duration is that of the run that finished
    // it, not the time the driver was down.
    exp->update_trial(2, Status::running, at("2030-01-02 00:00:00"));
    exp->update_trial(2, Status::succeeded, at("2030-01-02 00:00:05"), {{"score", 2}});
    const auto completed = exp->load_completed(1);
    ASSERT_EQ(completed.size(), 2U);
    EXPECT_EQ(completed[0].trial_id, 2);
    EXPECT_EQ(completed[1].trial_id, 3);

    auto db = read();
    EXPECT_EQ(query_rows(db, "SELECT status FROM trial_status WHERE trial_id = 3 ORDER BY ts"),
              (std::vector<std::string>{"RUNNING", "CANCELED", "RUNNING", "SUCCEEDED"}));
    EXPECT_EQ(query_rows(db, "SELECT ts_start, ts_end FROM trial WHERE trial_id = 3"),
              std::vector<std::string>{"2030-01-01 00:00:00.000000|2030-01-01 00:00:01.000000"});
    EXPECT_EQ(query_rows(db, "SELECT status FROM trial_status WHERE trial_id = 2 ORDER BY ts"),
              (std::vector<std::string>{"RUNNING", "RUNNING", "SUCCEEDED"}));
    EXPECT_EQ(query_rows(db, "SELECT ts_start, ts_end FROM trial WHERE trial_id = 2"),
              std::vector<std::string>{"2030-01-02 00:00:00.000000|2030-01-02 00:00:05.000000"});
    EXPECT_EQ(query_text(db, "SELECT status FROM experiment"), "RUNNING");
}

TEST_F(SqliteStorageTest, NewExperimentStartsAtFirstTrialId)
{
    auto storage = open();
    auto spec = make_spec();
    spec.first_trial_id = 10;
    auto exp = storage->open_experiment(spec, m_tunables);
    EXPECT_EQ(add_trial(*exp, m_tunables, m_tunables.defaults()).trial_id, 10);
    EXPECT_EQ(add_trial(*exp, m_tunables, m_tunables.defaults()).trial_id, 11);
}

TEST_F(SqliteStorageTest, ResumeWithOtherTunablesOrObjectivesIsRefused)
{
    {
        (void)open()->open_experiment(make_spec(), m_tunables);
    }
    const auto other = make_tunables(R"({
        "kernel": {"cost": 2, "params": {
            "workers": {"type": "int", "range": [1, 128], "default": 4},
            "threads": {"type": "int", "range": [1, 8], "default": 1}
        }},
        "app": {"cost": 10, "params": {
            "mode": {"type": "categorical", "values": ["fast", "safe"], "default": "fast"}
        }}
    })");
    auto spec = make_spec();
    spec.objectives = {{"score", "max"}, {"latency", "min"}};
    try {
        (void)open()->open_experiment(spec, other);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "experiment 'exp1' differs from the stored one: tunable 'ratio' is gone; "
                  "tunable 'threads' is new; tunable 'workers': range was [1,64], now [1,128]; "
                  "group 'kernel': cost was 1, now 2; objective 'latency' is new; "
                  "objective 'score': direction was min, now max; "
                  "use --force to resume it anyway");
    }
    // The same tunables in another order and from other files are the same experiment.
    const auto reordered = make_tunables(R"({
        "app": {"cost": 10, "params": {
            "mode": {"values": ["fast", "safe"], "default": "fast", "type": "categorical"}
        }},
        "kernel": {"cost": 1, "params": {
            "ratio": {"type": "float", "range": [0, 1], "default": 0.5},
            "workers": {"type": "int", "range": [1, 64], "default": 4}
        }}
    })");
    {
        (void)open()->open_experiment(make_spec(), reordered);
    }

    spec.force = true;
    {
        (void)open()->open_experiment(spec, other);
    }
    // Forced once, the new definitions are the stored ones.
    spec.force = false;
    {
        (void)open()->open_experiment(spec, other);
    }
    auto db = read();
    EXPECT_EQ(query_rows(db, "SELECT optimization_target, optimization_direction FROM objectives "
                             "ORDER BY optimization_target"),
              (std::vector<std::string>{"latency|min", "score|max"}));
}

// mlos_bench records no tunable definitions, only the parameter values of each config: a
// resume of an experiment it made compares the tunables' names with those.
TEST_F(SqliteStorageTest, ResumeOfAnMlosBenchExperimentComparesTheRecordedParameterNames)
{
    {
        (void)open(); // mlos_bench's tables as it makes them
        SQLite::Database db(m_path, SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE experiment_tunables");
        db.exec("DROP TABLE trial_output");
        db.exec("DROP TABLE trial_telemetry_metadata");
        db.exec("PRAGMA user_version = 0");
        db.exec("INSERT INTO experiment (exp_id, description, root_env_config, git_repo, "
                "git_commit) VALUES ('mb', 'mock', 'env.jsonc', 'file:///r', 'abc')");
        db.exec("INSERT INTO objectives VALUES ('mb', 'score', 'min', NULL)");
        db.exec("INSERT INTO config (config_id, config_hash) VALUES (1, 'h1'), (2, 'h2')");
        db.exec("INSERT INTO config_param VALUES (1, 'workers', '4'), (1, 'ratio', '0.5'), "
                "(1, 'policy', 'lru'), (2, 'workers', '8'), (2, 'ratio', '0.25'), "
                "(2, 'policy', 'fifo')");
        db.exec("INSERT INTO trial (exp_id, trial_id, config_id, ts_start, ts_end, status) "
                "VALUES ('mb', 1, 1, '2024-01-01 00:00:00', '2024-01-01 00:00:01', "
                "'SUCCEEDED'), ('mb', 2, 2, '2024-01-01 00:00:02', NULL, 'RUNNING')");
    }
    try {
        (void)open()->open_experiment(make_spec("mb"), m_tunables);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "experiment 'mb' differs from the stored one: tunable 'mode' is new; tunable "
                  "'policy' is gone; use --force to resume it anyway");
    }
    {
        auto db = read();
        EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM experiment_tunables"), 0);
    }
    // The same names resume, and from then on the definitions are stored and compared.
    const auto same = make_tunables(R"({
        "kernel": {"cost": 1, "params": {
            "workers": {"type": "int", "range": [1, 64], "default": 4},
            "ratio": {"type": "float", "range": [0, 1], "default": 0.5}
        }},
        "app": {"cost": 10, "params": {
            "policy": {"type": "categorical", "values": ["lru", "fifo"], "default": "lru"}
        }}
    })");
    {
        auto exp = open()->open_experiment(make_spec("mb"), same);
        EXPECT_TRUE(exp->resumed());
        EXPECT_EQ(exp->claim_trials().size(), 1U);
    }
    auto db = read();
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM experiment_tunables WHERE exp_id = 'mb'"), 1);
}

// A child process that lives until killed: its pid plays another driver.
class Sleeper
{
public:
    Sleeper()
    {
        m_pid = ::fork();
        if (m_pid == 0) {
            ::execl("/bin/sh", "sh", "-c", "exec sleep 60", static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~Sleeper() { stop(); }
    Sleeper(const Sleeper&) = delete;
    Sleeper& operator=(const Sleeper&) = delete;

    [[nodiscard]] int pid() const { return m_pid; }
    void stop()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0); // reaped: a zombie would still count as alive
            m_pid = -1;
        }
    }

private:
    int m_pid = -1;
};

TEST_F(SqliteStorageTest, LiveDriverIsRefusedDeadOneTakenOver)
{
    Sleeper other;
    ASSERT_GT(other.pid(), 0);
    {
        auto spec = make_spec();
        spec.driver_pid = other.pid();
        (void)open()->open_experiment(spec, m_tunables);
    }
    try {
        (void)open()->open_experiment(make_spec(), m_tunables);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "experiment 'exp1' is being run by process " +
                                             std::to_string(other.pid()) + " on " + host_name() +
                                             " (use --join to work on it beside it)");
    }
    other.stop();
    auto storage = open();
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    EXPECT_TRUE(exp->resumed());
    {
        auto db = read();
        EXPECT_EQ(query_int(db, "SELECT driver_pid FROM experiment"), ::getpid());
    }
    exp->finish(Status::succeeded, now());
    auto db = read();
    EXPECT_EQ(query_text(db, "SELECT driver_pid FROM experiment"), "<null>");
}

TEST_F(SqliteStorageTest, AttachingLeavesTheDriverAlone)
{
    Sleeper driver;
    auto spec = make_spec();
    spec.driver_pid = driver.pid();
    const TunableValues values{{"workers", std::int64_t{8}}, {"ratio", 0.5}, {"mode", "safe"}};
    {
        auto storage = open();
        auto exp = storage->open_experiment(spec, m_tunables);
        (void)add_trial(*exp, m_tunables, values);
    }
    auto storage = open();
    auto attached = storage->attach_experiment("exp1");
    EXPECT_TRUE(attached->resumed());
    attached->add_telemetry(1, {{now(), "rps", 10}});
    // Without the tunables, numbers are guessed from the text.
    EXPECT_EQ(attached->load_config(1),
              (TunableValues{{"workers", std::int64_t{8}}, {"ratio", 0.5}, {"mode", "safe"}}));
    auto db = read();
    EXPECT_EQ(query_int(db, "SELECT driver_pid FROM experiment"), driver.pid());
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM trial_telemetry"), 1);
}

TEST_F(SqliteStorageTest, TelemetryCollisionsMoveByOneMicrosecond)
{
    auto storage = open();
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    const auto trial = add_trial(*exp, m_tunables, m_tunables.defaults());
    const Timestamp t = at("2024-01-01 12:00:00.999999");
    exp->add_telemetry(trial.trial_id, {{t, "rps", 1}, {t, "rps", 2}, {t, "lat", 5}});
    exp->add_telemetry(trial.trial_id, {{t, "rps", 3}});
    // Status rows collide too.
    exp->update_trial(trial.trial_id, Status::running, t);
    exp->update_trial(trial.trial_id, Status::running, t);

    auto db = read();
    EXPECT_EQ(query_rows(db, "SELECT ts, metric_id, metric_value FROM trial_telemetry "
                             "ORDER BY metric_id, ts"),
              (std::vector<std::string>{
                  "2024-01-01 12:00:00.999999|lat|5", "2024-01-01 12:00:00.999999|rps|1",
                  "2024-01-01 12:00:01.000000|rps|2", "2024-01-01 12:00:01.000001|rps|3"}));
    EXPECT_EQ(
        query_rows(db, "SELECT ts FROM trial_status ORDER BY ts"),
        (std::vector<std::string>{"2024-01-01 12:00:00.999999", "2024-01-01 12:00:01.000000"}));
}

TEST_F(SqliteStorageTest, SecretsAreNeverStored)
{
    {
        auto storage = open();
        auto exp = storage->open_experiment(make_spec(), m_tunables);
        const auto trial = add_trial(*exp, m_tunables, m_tunables.defaults(),
                                     {{"db_password", "hunter2-pw"},
                                      {"API_TOKEN", "hunter2-token"},
                                      {"ssh_Key", "hunter2-key"},
                                      {"client_secret", "hunter2-secret"},
                                      {"keyboard", "qwerty"}});
        EXPECT_EQ(trial.metadata, (Json{{"keyboard", "qwerty"}}));
        EXPECT_EQ(exp->others_in_flight().size(), 0U);
    }
    auto db = read();
    EXPECT_EQ(query_rows(db, "SELECT param_id, param_value FROM trial_param"),
              std::vector<std::string>{"keyboard|qwerty"});
    for (const auto& entry : std::filesystem::directory_iterator(m_dir.path())) {
        EXPECT_EQ(testing::read_file(entry.path()).find("hunter2"), std::string::npos)
            << entry.path();
    }
}

TEST_F(SqliteStorageTest, ErrorsNameWhatIsMissingOrWrong)
{
    auto storage = open();
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    const auto trial = add_trial(*exp, m_tunables, m_tunables.defaults());
    const auto message = [](auto&& action) -> std::string {
        try {
            action();
        } catch (const ConfigError& e) {
            return std::string("ConfigError: ") + e.what();
        } catch (const Error& e) {
            return std::string("Error: ") + e.what();
        }
        return "no error";
    };
    EXPECT_EQ(message([&] { exp->update_trial(99, Status::running, now()); }),
              "ConfigError: experiment 'exp1' has no trial 99");
    EXPECT_EQ(message([&] {
                  exp->add_telemetry(99, {{now(), "x", 1}});
              }),
              "ConfigError: experiment 'exp1' has no trial 99");
    EXPECT_EQ(message([&] { (void)exp->load_config(42); }),
              "ConfigError: there is no config 42 in " + m_path);
    EXPECT_EQ(message([&] { (void)storage->attach_experiment("nope"); }),
              "ConfigError: there is no experiment 'nope' in " + m_path);
    EXPECT_EQ(message([&] {
                  exp->update_trial(trial.trial_id, Status::running, now(), {{"score", 1}});
              }),
              "Error: trial 1 of experiment 'exp1': results come with a completed status, not "
              "RUNNING");
    exp->update_trial(trial.trial_id, Status::succeeded, now(), {{"score", 1}});
    EXPECT_EQ(message([&] { exp->update_trial(trial.trial_id, Status::failed, now()); }),
              "Error: trial 1 of experiment 'exp1' already ended SUCCEEDED");
    EXPECT_EQ(message([&] { exp->assign_runner(trial.trial_id, 3); }),
              "Error: trial 1 of experiment 'exp1' already ended SUCCEEDED");
}

TEST_F(SqliteStorageTest, InMemoryStorageWorks)
{
    auto storage = open_sqlite_storage(":memory:");
    EXPECT_EQ(storage->location(), ":memory:");
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    const auto trial = add_trial(*exp, m_tunables, m_tunables.defaults());
    exp->update_trial(trial.trial_id, Status::succeeded, now(), {{"score", 2}});
    EXPECT_EQ(exp->load_completed(0).size(), 1U);
}

TEST_F(SqliteStorageTest, ConcurrentWritersFromFourThreadsLoseNothing)
{
    constexpr int k_threads = 4;
    constexpr int k_trials = 40;
    auto storage = open();
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    const Timestamp t = at("2024-01-01 00:00:00");
    std::vector<std::thread> runners;
    std::atomic<int> failures{0};
    for (int r = 1; r <= k_threads; ++r) {
        runners.emplace_back([&, r] {
            try {
                for (int i = 0; i < k_trials; ++i) {
                    TunableValues values = m_tunables.defaults();
                    values["workers"] = std::int64_t{r};
                    const auto trial = add_trial(*exp, m_tunables, values);
                    exp->assign_runner(trial.trial_id, r);
                    exp->update_trial(trial.trial_id, Status::running, now());
                    exp->add_telemetry(trial.trial_id, {{t, "rps", i}, {t, "rps", i + 1}});
                    exp->update_trial(trial.trial_id, Status::succeeded, now(), {{"score", i}});
                    (void)exp->load_completed(0);
                }
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << e.what();
            }
        });
    }
    for (auto& thread : runners) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    constexpr int k_total = k_threads * k_trials;
    EXPECT_EQ(exp->load_completed(0).size(), static_cast<std::size_t>(k_total));

    auto db = read();
    EXPECT_EQ(query_int(db, "SELECT COUNT(DISTINCT trial_id) FROM trial"), k_total);
    EXPECT_EQ(query_int(db, "SELECT MAX(trial_id) FROM trial"), k_total);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM trial WHERE status = 'SUCCEEDED'"), k_total);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM trial_status"), 2 * k_total);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM trial_telemetry"), 2 * k_total);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM trial_result"), k_total);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM config"), k_threads);
}

TEST_F(SqliteStorageTest, TwoProcessesWritingTelemetryAtOnceLoseNothing)
{
    constexpr int k_samples = 200;
    std::int64_t trial_id = 0;
    {
        auto storage = open();
        auto exp = storage->open_experiment(make_spec(), m_tunables);
        trial_id = add_trial(*exp, m_tunables, m_tunables.defaults()).trial_id;
        exp->update_trial(trial_id, Status::running, now());
    }
    const Timestamp t = at("2024-01-01 00:00:00");

    // Fork with no connection to the file open (SQLite connections must not cross a fork),
    // then both processes start together and write one sample per transaction at the same
    // time and metric, so most samples collide with one of the other process's.
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int code = 0;
        try {
            ::close(go[1]);
            char byte = 0;
            (void)!::read(go[0], &byte, 1);
            auto storage = open();
            auto attached = storage->attach_experiment("exp1");
            for (int i = 0; i < k_samples; ++i) {
                attached->add_telemetry(trial_id, {{t, "rps", 1000 + i}});
            }
        } catch (...) {
            code = 1;
        }
        ::_exit(code);
    }
    ::close(go[0]);
    auto storage = open();
    auto exp = storage->open_experiment(make_spec(), m_tunables);
    ASSERT_EQ(exp->claim_trials().size(), 1U); // the earlier worker's, taken over
    (void)!::write(go[1], "g", 1);
    ::close(go[1]);
    for (int i = 0; i < k_samples; ++i) {
        exp->add_telemetry(trial_id, {{t, "rps", i}});
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);

    auto db = read();
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM trial_telemetry"), 2 * k_samples);
    EXPECT_EQ(query_int(db, "SELECT COUNT(DISTINCT ts) FROM trial_telemetry"), 2 * k_samples);
    EXPECT_EQ(query_text(db, "SELECT MAX(ts) FROM trial_telemetry"),
              "2024-01-01 00:00:00.000" + std::to_string(2 * k_samples - 1));
}

} // namespace
} // namespace mlosbench
