// Telemetry tables of `export`: CSV quoting and JSON values.
#include "mlosbench/results/results_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

std::vector<mlosbench::TelemetryRow> rows()
{
    return {{1, "2025-01-02T03:04:05.000000Z", "cpu", "0.5"},
            {1, "2025-01-02T03:04:05.000000Z", "disk, read", "12"},
            {2, "2025-01-02T03:04:06.000000Z", "state", "\"idle\""},
            {2, "2025-01-02T03:04:07.000000Z", "gone", std::nullopt}};
}

} // namespace

TEST(TelemetryExport, CsvQuotesFieldsAndKeepsStoredValues)
{
    EXPECT_EQ(mlosbench::telemetry_csv(rows()),
              "trial_id,ts,metric,value\n"
              "1,2025-01-02T03:04:05.000000Z,cpu,0.5\n"
              "1,2025-01-02T03:04:05.000000Z,\"disk, read\",12\n"
              "2,2025-01-02T03:04:06.000000Z,state,\"\"\"idle\"\"\"\n"
              "2,2025-01-02T03:04:07.000000Z,gone,\n");
    EXPECT_EQ(mlosbench::telemetry_csv({}), "trial_id,ts,metric,value\n");
}

TEST(TelemetryExport, JsonHasNumbersStringsAndNull)
{
    const auto doc = nlohmann::json::parse(mlosbench::telemetry_json(rows()));
    ASSERT_EQ(doc.size(), 4U);
    EXPECT_EQ(doc[0], (nlohmann::json{{"trial_id", 1},
                                      {"ts", "2025-01-02T03:04:05.000000Z"},
                                      {"metric", "cpu"},
                                      {"value", 0.5}}));
    EXPECT_EQ(doc[1]["value"], 12);
    EXPECT_EQ(doc[2]["value"], "\"idle\"");
    EXPECT_TRUE(doc[3]["value"].is_null());
    EXPECT_EQ(nlohmann::json::parse(mlosbench::telemetry_json({})), nlohmann::json::array());
}
