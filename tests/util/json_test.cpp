// util/json: merging objects in linear time, keeping the order of their members.

#include "mlosbench/util/json.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;

TEST(MergeObject, LaterValuesWinInPlaceAndNewMembersFollow)
{
    Json into = Json::parse(R"({"b": 1, "a": 2, "c": 3})");
    merge_object(into, Json::parse(R"({"a": "x", "d": 4, "b": null})"));
    EXPECT_EQ(into.dump(), R"({"b":null,"a":"x","c":3,"d":4})");
    Json empty;
    merge_object(empty, Json::parse(R"({"z": 1, "y": 2})"));
    EXPECT_EQ(empty.dump(), R"({"z":1,"y":2})");
}

TEST(MergeObject, AppendNewMemberKeepsTheOrder)
{
    Json object = Json::object();
    for (const char* key : {"m2", "m10", "m1"}) {
        append_new_member(object, key, key);
    }
    EXPECT_EQ(object.dump(), R"({"m2":"m2","m10":"m10","m1":"m1"})");
    EXPECT_EQ(object["m10"], "m10");
}

TEST(MergeObject, ManyNewMembersAfterFewOld)
{
    Json into = Json::parse(R"({"score": 1})");
    Json from = Json::object();
    for (int i = 0; i < 1000; ++i) {
        from["m" + std::to_string(i)] = i;
    }
    from["score"] = 2;
    merge_object(into, from);
    ASSERT_EQ(into.size(), 1001U);
    EXPECT_EQ(into.begin().key(), "score");
    EXPECT_EQ(into["score"], 2);
    EXPECT_EQ(into["m999"], 999);
}
