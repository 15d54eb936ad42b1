// The resume comparison, as pure functions of the stored and the given definitions.
#include "mlosbench/storage/experiment_diff.hpp"

#include <gtest/gtest.h>

namespace mlosbench {
namespace {

TunableGroups make_tunables(const char* text)
{
    TunableGroups tunables;
    tunables.add_from_json(Json::parse(text), "tunables.jsonc");
    return tunables;
}

using Phrases = std::vector<std::string>;

TEST(ExperimentDiff, SameDefinitionsInAnotherOrderDoNotDiffer)
{
    const Json stored = Json::parse(R"({"a": {"cost": 1, "params": {
        "x": {"type": "int", "range": [1, 4], "default": 2},
        "y": {"type": "float", "range": [0, 1], "default": 0.5}}}})");
    const Json given = Json::parse(R"({"a": {"params": {
        "y": {"default": 0.5, "range": [0, 1], "type": "float"},
        "x": {"type": "int", "range": [1, 4], "default": 2}}, "cost": 1}})");
    EXPECT_EQ(definition_differences(stored, given), Phrases{});
}

TEST(ExperimentDiff, NamesEachChangedTunableKeyAndGroupCost)
{
    const Json stored = Json::parse(R"({
        "a": {"cost": 1, "params": {"x": {"type": "int", "range": [1, 4], "default": 2},
                                    "gone": {"type": "int", "range": [0, 1], "default": 0}}},
        "b": {"cost": 5, "params": {"moved": {"type": "int", "range": [0, 1], "default": 0}}}})");
    const Json given = Json::parse(R"({
        "a": {"cost": 2, "params": {"x": {"type": "int", "range": [1, 8], "default": 2},
                                    "moved": {"type": "int", "range": [0, 1], "default": 0},
                                    "fresh": {"type": "int", "range": [0, 1], "default": 0,
                                              "log": false}}},
        "b": {"cost": 5, "params": {}}})");
    EXPECT_EQ(definition_differences(stored, given),
              (Phrases{"tunable 'fresh' is new", "tunable 'gone' is gone",
                       "tunable 'moved' moved from group 'b' to 'a'",
                       "tunable 'x': range was [1,4], now [1,8]", "group 'a': cost was 1, now 2"}));
}

TEST(ExperimentDiff, ComparesRecordedParameterNames)
{
    const auto tunables = make_tunables(R"({"a": {"cost": 1, "params": {
        "x": {"type": "int", "range": [1, 4], "default": 2},
        "y": {"type": "int", "range": [1, 4], "default": 2}}}})");
    EXPECT_EQ(name_differences({}, tunables), Phrases{});
    EXPECT_EQ(name_differences({"x", "y"}, tunables), Phrases{});
    EXPECT_EQ(name_differences({"x", "z"}, tunables),
              (Phrases{"tunable 'y' is new", "tunable 'z' is gone"}));
}

TEST(ExperimentDiff, ComparesObjectives)
{
    ExperimentSpec spec;
    spec.objectives = {{"latency", "max"}, {"cost", "min"}};
    EXPECT_EQ(objective_differences({{"cost", "min"}, {"latency", "max"}}, spec), Phrases{});
    EXPECT_EQ(objective_differences({{"latency", "min"}, {"score", "min"}}, spec),
              (Phrases{"objective 'cost' is new", "objective 'latency': direction was min, now max",
                       "objective 'score' is gone"}));
}

} // namespace
} // namespace mlosbench
