// The typed read interface (StorageReader) on a real SQLite file and a real PostgreSQL
// database: written through the storage, closed, reopened read-only, read back as typed rows;
// and the to_json() of each row type.
#include "mlosbench/storage/sqlite_reader.hpp"
#include "mlosbench/storage/sqlite_storage.hpp"
#include "mlosbench/util/error.hpp"
#include "support/storage_backends.hpp"
#include "support/test_support.hpp"

#include <SQLiteCpp/Database.h>
#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace mlosbench {
namespace {

using testing::Backend;
using testing::TempDir;

constexpr const char* k_tunables = R"({
    "kernel": {"cost": 1, "params": {
        "workers": {"type": "int", "range": [1, 64], "default": 4},
        "mode": {"type": "categorical", "values": ["fast", "safe"], "default": "fast"}
    }}
})";

Timestamp at(const std::string& text) { return *parse_timestamp(text); }

// Two experiments: "exp1" with three trials (two on one config) and telemetry, "exp2" with
// none. Written by `storage`, which the caller closes before reading.
void write_experiments(Storage& storage)
{
    {
        TunableGroups tunables;
        tunables.add_from_json(Json::parse(k_tunables), "tunables.jsonc");
        ExperimentSpec spec;
        spec.experiment_id = "exp1";
        spec.description = "mock";
        spec.root_env_config = "environments/mock.jsonc";
        spec.objectives = {{"score", "min"}, {"ops", "max"}};
        auto exp = storage.open_experiment(spec, tunables);
        const TunableValues fast{{"workers", std::int64_t{8}}, {"mode", "fast"}};
        const TunableValues safe{{"workers", std::int64_t{2}}, {"mode", "safe"}};
        const auto add = [&](const TunableValues& values, const Json& metadata) {
            return exp
                ->new_trial(values, tunables.canonical_text(values), metadata,
                            at("2024-05-06 07:00:00"))
                .value();
        };
        (void)add(fast, {{"optimizer", "mock"}, {"api_token", "hunter2"}, {"flag", "true"}});
        (void)add(safe, Json::object());
        (void)add(fast, Json::object());
        exp->assign_runner(1, 1);
        exp->update_trial(1, Status::running, at("2024-05-06 07:00:01.250000"));
        exp->add_telemetry(
            1, {{at("2024-05-06 07:00:02"), "cpu", 0.5}, {at("2024-05-06 07:00:03"), "cpu", 0.75}});
        (void)exp->post_telemetry(1, {at("2024-05-06 07:00:04"), "ops_done", 3}, false,
                                  std::string("phase 1"), PostTime::as_given);
        exp->save_trial_output(1, "out line\n", "", "");
        exp->update_trial(1, Status::succeeded, at("2024-05-06 07:00:03.750000"),
                          {{"score", 12.5}, {"ops", 100}, {"note", "ok"}});
        exp->update_trial(2, Status::running, at("2024-05-06 07:00:05"));
        exp->save_trial_output(2, "", "boom\n", "exit code 3");
        exp->update_trial(2, Status::failed, at("2024-05-06 07:00:06"));
        exp->update_trial(3, Status::running, at("2024-05-06 07:00:07"));
        exp->update_trial(3, Status::succeeded, at("2024-05-06 07:00:08"), {{"score", 7}});
        exp->finish(Status::succeeded, at("2024-05-06 07:01:00"));

        spec.experiment_id = "exp2";
        spec.objectives = {};
        auto empty = storage.open_experiment(spec, tunables);
        empty->finish(Status::succeeded, at("2024-05-06 08:00:00"));
    }
}

class ReaderTest : public ::testing::TestWithParam<Backend>
{
protected:
    void SetUp() override { write_experiments(*m_db.open()); }

    testing::StorageDatabase m_db{GetParam()};
};

TEST_P(ReaderTest, ReadsExperimentSummaries)
{
    const auto reader_ptr = m_db.reader();
    const StorageReader& reader = *reader_ptr;
    const auto experiments = reader.experiments();
    ASSERT_EQ(experiments.size(), 2U);
    const ExperimentSummary& e = experiments[0];
    EXPECT_EQ(e.exp_id, "exp1");
    EXPECT_EQ(e.description, "mock");
    EXPECT_EQ(e.status, "SUCCEEDED");
    EXPECT_EQ(e.ts_end, "2024-05-06 07:01:00.000000");
    ASSERT_EQ(e.objectives.size(), 2U);
    EXPECT_EQ(e.objectives[1].name, "ops");
    EXPECT_EQ(e.objectives[1].direction, "max");
    EXPECT_EQ(e.total_trials, 3);
    EXPECT_EQ(e.trials_by_status,
              (std::vector<std::pair<std::string, std::int64_t>>{{"FAILED", 1}, {"SUCCEEDED", 2}}));
    ASSERT_TRUE(e.best);
    EXPECT_EQ(e.best->trial_id, 3);
    EXPECT_EQ(e.best->metric, "score");
    EXPECT_EQ(e.best->score, 7);

    EXPECT_EQ(experiments[1].exp_id, "exp2");
    EXPECT_EQ(experiments[1].total_trials, 0);
    EXPECT_FALSE(experiments[1].best);
    EXPECT_TRUE(reader.has_experiment("exp2"));
    EXPECT_FALSE(reader.has_experiment("exp3"));
}

TEST_P(ReaderTest, ReadsTrialsWithResultsAndDurations)
{
    const auto reader_ptr = m_db.reader();
    const StorageReader& reader = *reader_ptr;
    const auto trials = reader.trials("exp1");
    ASSERT_EQ(trials.size(), 3U);
    EXPECT_EQ(trials[0].trial_id, 1);
    EXPECT_EQ(trials[0].config_id, 1);
    EXPECT_EQ(trials[0].status, "SUCCEEDED");
    EXPECT_EQ(trials[0].trial_runner_id, 1);
    EXPECT_EQ(trials[0].ts_start, "2024-05-06 07:00:01.250000");
    EXPECT_EQ(trials[0].ts_end, "2024-05-06 07:00:03.750000");
    ASSERT_TRUE(trials[0].duration_s());
    EXPECT_DOUBLE_EQ(*trials[0].duration_s(), 2.5);
    // Stored text comes back as numbers where it is one, else as the string.
    EXPECT_EQ(trials[0].results, (Json{{"note", "ok"}, {"ops", 100}, {"score", 12.5}}));
    EXPECT_EQ(trials[1].status, "FAILED");
    EXPECT_EQ(trials[1].trial_runner_id, std::nullopt);
    EXPECT_EQ(trials[1].results, Json::object());
    EXPECT_EQ(trials[2].config_id, 1);
    EXPECT_TRUE(reader.trials("exp2").empty());
    EXPECT_TRUE(reader.has_trial("exp1", 3));
    EXPECT_FALSE(reader.has_trial("exp1", 4));
    EXPECT_FALSE(reader.has_trial("exp2", 1));
}

TEST_P(ReaderTest, ReadsOneTrialInFullWithSecretsMasked)
{
    const auto reader_ptr = m_db.reader();
    const StorageReader& reader = *reader_ptr;
    const auto detail = reader.trial("exp1", 1);
    ASSERT_TRUE(detail);
    EXPECT_EQ(detail->exp_id, "exp1");
    EXPECT_EQ(detail->trial.trial_id, 1);
    EXPECT_EQ(detail->config, (Json{{"mode", "fast"}, {"workers", 8}}));
    // The secret never reached storage; the results commands show "true" as stored text.
    EXPECT_EQ(detail->metadata, (Json{{"flag", "true"}, {"optimizer", "mock"}}));
    ASSERT_EQ(detail->status_history.size(), 2U);
    EXPECT_EQ(detail->status_history[0].ts, "2024-05-06 07:00:01.250000");
    EXPECT_EQ(detail->status_history[0].status, "RUNNING");
    EXPECT_EQ(detail->status_history[1].status, "SUCCEEDED");
    EXPECT_EQ(detail->stdout_tail, "out line\n");
    EXPECT_EQ(detail->stderr_tail, "");
    EXPECT_EQ(detail->reason, "");
    EXPECT_EQ(reader.trial("exp1", 2)->reason, "exit code 3");
    EXPECT_FALSE(reader.trial("exp1", 4));
    EXPECT_FALSE(reader.trial("exp3", 1));
}

TEST_P(ReaderTest, MasksSecretNamedMetadataWrittenByOthers)
{
    m_db.exec("INSERT INTO trial_param VALUES ('exp1', 2, 'db_password', 'hunter2')");
    const auto reader_ptr = m_db.reader();
    const StorageReader& reader = *reader_ptr;
    EXPECT_EQ(reader.trial("exp1", 2)->metadata, (Json{{"db_password", "******"}}));
}

TEST_P(ReaderTest, ReadsTheResultsFrame)
{
    const auto reader_ptr = m_db.reader();
    const StorageReader& reader = *reader_ptr;
    const ResultsFrame frame = reader.results_frame("exp1");
    EXPECT_EQ(frame.config_names, (std::vector<std::string>{"mode", "workers"}));
    EXPECT_EQ(frame.result_names, (std::vector<std::string>{"note", "ops", "score"}));
    ASSERT_EQ(frame.rows.size(), 3U);
    EXPECT_EQ(frame.rows[1].tunable_config_id, 2);
    EXPECT_EQ(frame.rows[1].tunable_config_trial_group_id, 2);
    EXPECT_EQ(frame.rows[2].tunable_config_id, 1);
    EXPECT_EQ(frame.rows[2].tunable_config_trial_group_id, 1);
    EXPECT_EQ(frame.rows[0].config, (std::vector<Json>{"fast", 8}));
    EXPECT_EQ(frame.rows[0].results, (std::vector<Json>{"ok", 100, 12.5}));
    EXPECT_EQ(frame.rows[1].results, (std::vector<Json>{nullptr, nullptr, nullptr}));
    EXPECT_EQ(frame.rows[2].results, (std::vector<Json>{nullptr, nullptr, 7}));
    EXPECT_TRUE(reader.results_frame("exp2").rows.empty());
}

TEST_P(ReaderTest, ReadsTelemetryAndMetricSamples)
{
    const auto reader_ptr = m_db.reader();
    const StorageReader& reader = *reader_ptr;
    const auto telemetry = reader.telemetry("exp1");
    ASSERT_EQ(telemetry.size(), 3U);
    EXPECT_EQ(telemetry[0].trial_id, 1);
    EXPECT_EQ(telemetry[0].ts, "2024-05-06T07:00:02.000000Z");
    EXPECT_EQ(telemetry[0].metric, "cpu");
    EXPECT_EQ(telemetry[0].value, "0.5");
    EXPECT_EQ(telemetry[2].metric, "ops_done");

    MetricSampleFilter filter;
    filter.metrics = {"ops_done", "score"};
    auto samples = reader.metric_samples("exp1", filter);
    ASSERT_EQ(samples.size(), 3U); // one telemetry sample, then two results
    EXPECT_EQ(samples[0].metric, "ops_done");
    EXPECT_EQ(samples[0].value, 3);
    EXPECT_EQ(samples[0].metadata, "phase 1");
    EXPECT_EQ(samples[0].source, MetricSource::telemetry);
    EXPECT_EQ(samples[0].ts, at("2024-05-06 07:00:04"));
    std::sort(samples.begin() + 1, samples.end(),
              [](const auto& a, const auto& b) { return a.trial_id < b.trial_id; });
    EXPECT_EQ(samples[1].source, MetricSource::result);
    EXPECT_EQ(samples[1].trial_id, 1);
    EXPECT_EQ(samples[1].ts, at("2024-05-06 07:00:03.75")); // its trial's end
    EXPECT_EQ(samples[1].value, 12.5);
    EXPECT_EQ(samples[2].trial_id, 3);

    filter.trial_id = 3;
    filter.include_results = false;
    EXPECT_TRUE(reader.metric_samples("exp1", filter).empty());
}

TEST(SqliteReader, ReadingLeavesAReadOnlyFileAsItWas)
{
    const TempDir dir;
    const std::string path = (dir.path() / "mlosbench.db").string();
    write_experiments(*open_sqlite_storage(path));
    const auto before = std::filesystem::last_write_time(path);
    ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
    {
        const SqliteReader reader(path);
        EXPECT_EQ(reader.trials("exp1").size(), 3U);
    }
    EXPECT_EQ(std::filesystem::last_write_time(path), before);
    EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
    EXPECT_FALSE(std::filesystem::exists(path + "-shm"));
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
}

TEST(SqliteReader, RefusesMissingEmptyAndForeignFiles)
{
    TempDir dir;
    const std::string missing = (dir.path() / "missing.db").string();
    try {
        (void)SqliteReader(missing);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), missing + ": storage file not found");
    }
    const std::string foreign = (dir.path() / "foreign.db").string();
    {
        SQLite::Database db(foreign, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE notes (text TEXT)");
    }
    try {
        (void)SqliteReader(foreign);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  foreign + ": not an mlosbench or mlos_bench storage file (table 'notes' is "
                            "not one of mlosbench's or mlos_bench's)");
    }
}

TEST(StoredRows, ExperimentSummaryToJson)
{
    ExperimentSummary e;
    e.exp_id = "exp1";
    e.status = "RUNNING";
    e.ts_start = "2024-05-06 07:00:00.000000";
    e.objectives = {{"score", "min"}};
    e.total_trials = 3;
    e.trials_by_status = {{"PENDING", 1}, {"SUCCEEDED", 2}};
    e.best = BestTrial{2, "score", 1.5};
    EXPECT_EQ(json_dump(e.to_json()),
              R"({"exp_id":"exp1","description":null,"status":"RUNNING",)"
              R"("ts_start":"2024-05-06 07:00:00.000000","ts_end":null,)"
              R"("objectives":[{"name":"score","direction":"min"}],)"
              R"("trials":{"total":3,"by_status":{"PENDING":1,"SUCCEEDED":2}},)"
              R"("best":{"trial_id":2,"metric":"score","score":1.5}})");
    e.best.reset();
    e.objectives.clear();
    e.trials_by_status.clear();
    EXPECT_EQ(e.to_json()["best"], nullptr);
    EXPECT_EQ(e.to_json()["objectives"], Json::array());
    EXPECT_EQ(e.to_json()["trials"]["by_status"], Json::object());
}

TEST(StoredRows, TrialRowToJson)
{
    TrialRow t;
    t.trial_id = 4;
    t.config_id = 2;
    t.status = "SUCCEEDED";
    t.trial_runner_id = 1;
    t.ts_start = "2024-05-06 07:00:00.000000";
    t.ts_end = "2024-05-06 07:00:01.500000";
    t.results = {{"score", 3}};
    EXPECT_EQ(json_dump(t.to_json()),
              R"({"trial_id":4,"config_id":2,"status":"SUCCEEDED","trial_runner_id":1,)"
              R"("ts_start":"2024-05-06 07:00:00.000000","ts_end":"2024-05-06 07:00:01.500000",)"
              R"("duration_s":1.5,"results":{"score":3}})");
    t.ts_end.reset();
    t.trial_runner_id.reset();
    EXPECT_EQ(t.to_json()["duration_s"], nullptr);
    EXPECT_EQ(t.to_json()["trial_runner_id"], nullptr);
}

TEST(StoredRows, TrialDetailToJson)
{
    TrialDetail d;
    d.exp_id = "exp1";
    d.trial.trial_id = 1;
    d.trial.config_id = 1;
    d.trial.status = "FAILED";
    d.trial.ts_start = "2024-05-06 07:00:00.000000";
    d.config = {{"workers", 8}};
    d.metadata = {{"api_key", "******"}};
    d.status_history = {{"2024-05-06 07:00:00.000000", "RUNNING"}};
    d.reason = "exit code 3";
    EXPECT_EQ(json_dump(d.to_json()),
              R"({"exp_id":"exp1","trial_id":1,"config_id":1,"status":"FAILED",)"
              R"("trial_runner_id":null,"ts_start":"2024-05-06 07:00:00.000000","ts_end":null,)"
              R"("duration_s":null,"config":{"workers":8},"metadata":{"api_key":"******"},)"
              R"("results":{},"status_history":[{"ts":"2024-05-06 07:00:00.000000",)"
              R"("status":"RUNNING"}],"stdout_tail":null,"stderr_tail":null,)"
              R"("reason":"exit code 3"})");
}

TEST(StoredRows, ResultsFrameToJson)
{
    ResultsFrame frame;
    frame.config_names = {"mode"};
    frame.result_names = {"score"};
    ResultsFrameRow row;
    row.trial_id = 2;
    row.ts_start = "2024-05-06 07:00:00.000000";
    row.tunable_config_id = 1;
    row.tunable_config_trial_group_id = 1;
    row.status = "RUNNING";
    row.config = {"fast"};
    row.results = {nullptr};
    frame.rows.push_back(row);
    EXPECT_EQ(json_dump(frame.to_json()),
              R"([{"trial_id":2,"ts_start":"2024-05-06 07:00:00.000000","ts_end":null,)"
              R"("tunable_config_id":1,"tunable_config_trial_group_id":1,"status":"RUNNING",)"
              R"("trial_runner_id":null,"config.mode":"fast","result.score":null}])");
    EXPECT_EQ(ResultsFrame{}.to_json(), Json::array());
}

INSTANTIATE_TEST_SUITE_P(Backends, ReaderTest, testing::all_backends(), testing::backend_name);

} // namespace
} // namespace mlosbench
