// ResultsReader::metrics on a real SQLite file with known telemetry: the numbers --since,
// --last and --summarize must give.
#include "mlosbench/results/metrics_query.hpp"
#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/storage/sqlite_storage.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlosbench {
namespace {

using testing::TempDir;

Timestamp at(const std::string& text) { return *parse_timestamp(text); }

// "trial|ts|metric|value|source|metadata|count", times in ISO 8601.
std::vector<std::string> lines(const std::vector<MetricSample>& samples)
{
    std::vector<std::string> out;
    for (const auto& s : samples) {
        out.push_back(std::to_string(s.trial_id) + "|" + format_iso8601(s.ts) + "|" + s.metric +
                      "|" + json_to_text(s.value) + "|" + metric_source_name(s.source) + "|" +
                      s.metadata.value_or("-") + "|" + std::to_string(s.count));
    }
    return out;
}

// Experiment "e": trial 1 (SUCCEEDED at 00:00:20, score 42) with cpu 1, 2, 3, 4 at
// 00:00:00..03 and 10 at 00:00:10 plus mem 100 at 00:00:00; trial 2 (RUNNING) with cpu 7
// at 00:00:05 (metadata "warm").
class MetricsQueryTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        TunableGroups tunables;
        tunables.add_from_json(
            Json::parse(R"({"g": {"cost": 1, "params": {"x": {"type": "int", "range": [1, 9],
                "default": 1}}}})"),
            "tunables.jsonc");
        auto storage = open_sqlite_storage(m_path);
        ExperimentSpec spec;
        spec.experiment_id = "e";
        spec.objectives = {{"score", "min"}};
        auto exp = storage->open_experiment(spec, tunables);
        for (std::int64_t x = 1; x <= 2; ++x) {
            const TunableValues values{{"x", x}};
            (void)exp->new_trial(values, tunables.canonical_text(values), Json::object(),
                                 at("2025-01-01 00:00:00"));
            exp->update_trial(x, Status::running, at("2025-01-01 00:00:00"));
        }
        exp->add_telemetry(1, {{at("2025-01-01 00:00:00"), "cpu", 1},
                               {at("2025-01-01 00:00:01"), "cpu", 2},
                               {at("2025-01-01 00:00:02"), "cpu", 3},
                               {at("2025-01-01 00:00:03"), "cpu", 4},
                               {at("2025-01-01 00:00:10"), "cpu", 10},
                               {at("2025-01-01 00:00:00"), "mem", 100}});
        (void)exp->post_telemetry(2, {at("2025-01-01 00:00:05"), "cpu", 7}, false, "warm",
                                  PostTime::as_given);
        exp->update_trial(1, Status::succeeded, at("2025-01-01 00:00:20"), {{"score", 42}});
        exp->finish(Status::succeeded, at("2025-01-01 00:01:00"));
    }

    [[nodiscard]] std::vector<std::string> run(const MetricsQuery& query) const
    {
        return lines(ResultsReader(m_path).metrics("e", query));
    }

    TempDir m_dir;
    std::string m_path = (m_dir.path() / "m.db").string();
};

TEST_F(MetricsQueryTest, ListsTelemetryAndResultsSortedBySeries)
{
    EXPECT_EQ(run({}), (std::vector<std::string>{
                           "1|2025-01-01T00:00:00.000000Z|cpu|1|telemetry|-|1",
                           "1|2025-01-01T00:00:01.000000Z|cpu|2|telemetry|-|1",
                           "1|2025-01-01T00:00:02.000000Z|cpu|3|telemetry|-|1",
                           "1|2025-01-01T00:00:03.000000Z|cpu|4|telemetry|-|1",
                           "1|2025-01-01T00:00:10.000000Z|cpu|10|telemetry|-|1",
                           "1|2025-01-01T00:00:00.000000Z|mem|100|telemetry|-|1",
                           "1|2025-01-01T00:00:20.000000Z|score|42|result|-|1",
                           "2|2025-01-01T00:00:05.000000Z|cpu|7|telemetry|warm|1",
                       }));
}

TEST_F(MetricsQueryTest, FiltersByTrialMetricAndSource)
{
    MetricsQuery query;
    query.trial_id = 2;
    EXPECT_EQ(run(query),
              (std::vector<std::string>{"2|2025-01-01T00:00:05.000000Z|cpu|7|telemetry|warm|1"}));
    query = {};
    query.metrics = {"mem", "score"};
    EXPECT_EQ(run(query), (std::vector<std::string>{
                              "1|2025-01-01T00:00:00.000000Z|mem|100|telemetry|-|1",
                              "1|2025-01-01T00:00:20.000000Z|score|42|result|-|1",
                          }));
    query.include_results = false;
    EXPECT_EQ(run(query), (std::vector<std::string>{
                              "1|2025-01-01T00:00:00.000000Z|mem|100|telemetry|-|1",
                          }));
}

TEST_F(MetricsQueryTest, SinceKeepsSamplesAtOrAfterTheTime)
{
    MetricsQuery query;
    query.since = at("2025-01-01T00:00:03Z");
    EXPECT_EQ(run(query), (std::vector<std::string>{
                              "1|2025-01-01T00:00:03.000000Z|cpu|4|telemetry|-|1",
                              "1|2025-01-01T00:00:10.000000Z|cpu|10|telemetry|-|1",
                              "1|2025-01-01T00:00:20.000000Z|score|42|result|-|1",
                              "2|2025-01-01T00:00:05.000000Z|cpu|7|telemetry|warm|1",
                          }));
    // An offset: 01:00:05+01:00 is 00:00:05 UTC.
    query.since = at("2025-01-01T01:00:05.000001+01:00");
    EXPECT_EQ(run(query), (std::vector<std::string>{
                              "1|2025-01-01T00:00:10.000000Z|cpu|10|telemetry|-|1",
                              "1|2025-01-01T00:00:20.000000Z|score|42|result|-|1",
                          }));
}

TEST_F(MetricsQueryTest, LastKeepsTheLastSamplesOfEachSeries)
{
    MetricsQuery query;
    query.last = 2;
    EXPECT_EQ(run(query), (std::vector<std::string>{
                              "1|2025-01-01T00:00:03.000000Z|cpu|4|telemetry|-|1",
                              "1|2025-01-01T00:00:10.000000Z|cpu|10|telemetry|-|1",
                              "1|2025-01-01T00:00:00.000000Z|mem|100|telemetry|-|1",
                              "1|2025-01-01T00:00:20.000000Z|score|42|result|-|1",
                              "2|2025-01-01T00:00:05.000000Z|cpu|7|telemetry|warm|1",
                          }));
}

TEST_F(MetricsQueryTest, SummarizeAveragesIntoEqualWidthTimeBuckets)
{
    MetricsQuery query;
    query.trial_id = 1;
    query.metrics = {"cpu"};
    // Span 10 s in 2 buckets of 5 s: {1, 2, 3, 4} and {10}.
    query.summarize = 2;
    EXPECT_EQ(run(query), (std::vector<std::string>{
                              "1|2025-01-01T00:00:00.000000Z|cpu|2.5|telemetry|-|4",
                              "1|2025-01-01T00:00:05.000000Z|cpu|10.0|telemetry|-|1",
                          }));
    // 3 buckets of ceil(10 s / 3) = 3.333334 s: the middle one is empty and left out.
    query.summarize = 3;
    EXPECT_EQ(run(query), (std::vector<std::string>{
                              "1|2025-01-01T00:00:00.000000Z|cpu|2.5|telemetry|-|4",
                              "1|2025-01-01T00:00:06.666668Z|cpu|10.0|telemetry|-|1",
                          }));
    // More buckets than samples: one per sample, each its own mean.
    query.summarize = 100;
    EXPECT_EQ(run(query).size(), 5U);
}

TEST_F(MetricsQueryTest, SinceThenLastThenSummarize)
{
    MetricsQuery query;
    query.trial_id = 1;
    query.since = at("2025-01-01 00:00:01");
    query.last = 3;
    query.summarize = 1;
    // since -> 2, 3, 4, 10; last 3 -> 3, 4, 10; one bucket from 00:00:02: mean 17/3.
    const auto rows = ResultsReader(m_path).metrics("e", query);
    ASSERT_EQ(rows.size(), 2U); // cpu and score; mem has no sample since 00:00:01
    EXPECT_EQ(rows[0].metric, "cpu");
    EXPECT_EQ(format_iso8601(rows[0].ts), "2025-01-01T00:00:02.000000Z");
    EXPECT_DOUBLE_EQ(rows[0].value.get<double>(), 17.0 / 3.0);
    EXPECT_EQ(rows[0].count, 3);
    EXPECT_EQ(rows[1].metric, "score");
    EXPECT_EQ(rows[1].source, MetricSource::result);
    EXPECT_DOUBLE_EQ(rows[1].value.get<double>(), 42.0);
}

TEST_F(MetricsQueryTest, SummarizeSkipsTextValues)
{
    std::vector<MetricSample> series(3);
    series[0].value = 1;
    series[1].value = "warmup";
    series[1].ts = series[0].ts + std::chrono::seconds(1);
    series[2].value = 3;
    series[2].ts = series[0].ts + std::chrono::seconds(2);
    const auto buckets = summarize_series(series, 1);
    ASSERT_EQ(buckets.size(), 1U);
    EXPECT_DOUBLE_EQ(buckets[0].value.get<double>(), 2.0);
    EXPECT_EQ(buckets[0].count, 2);
}

TEST_F(MetricsQueryTest, UnknownExperimentOrTrialIsAConfigError)
{
    const ResultsReader reader(m_path);
    try {
        (void)reader.metrics("nope", {});
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "unknown experiment 'nope'");
    }
    MetricsQuery query;
    query.trial_id = 9;
    try {
        (void)reader.metrics("e", query);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "unknown trial 9 in experiment 'e'");
    }
}

} // namespace
} // namespace mlosbench
