#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/config/template.hpp"
#include "mlosbench/util/error.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;
using mlosbench::testing::nested_json;

TEST(Jsonc, AcceptsCommentsAndTrailingCommas)
{
    const Json doc = parse_jsonc(R"({
        // a line comment
        "a": [1, 2, 3,],  /* a block
        comment */
        "b": {"c": "x, // not a comment ]",},
    })",
                                 "t.jsonc");
    EXPECT_EQ(doc["a"], Json({1, 2, 3}));
    EXPECT_EQ(doc["b"]["c"], "x, // not a comment ]");
}

TEST(Jsonc, KeepsKeyOrder)
{
    const Json doc = parse_jsonc(R"({"z": 1, "a": 2, "m": 3})", "t.jsonc");
    std::string keys;
    for (const auto& [k, v] : doc.items()) {
        keys += k;
    }
    EXPECT_EQ(keys, "zam");
}

TEST(Jsonc, SyntaxErrorNamesFileLineAndColumn)
{
    try {
        (void)parse_jsonc("{\n  \"a\": 1,\n  b: 2\n}", "env.jsonc");
        FAIL() << "expected a syntax error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "env.jsonc:3:3: syntax error while parsing object key - invalid "
                               "literal; expected string literal");
    }
}

TEST(Jsonc, SingleQuotesAreASyntaxError)
{
    EXPECT_THROW((void)parse_jsonc("{'a': 1}", "x.jsonc"), ConfigError);
}

TEST(Jsonc, UnterminatedBlockComment)
{
    try {
        (void)parse_jsonc("{\n /* open", "c.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "c.jsonc:2:2: syntax error: unterminated /* comment");
    }
}

TEST(Jsonc, MissingFile)
{
    try {
        (void)load_jsonc_file("/nonexistent/dir/x.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/dir/x.jsonc: cannot read config file: No such file or "
                               "directory");
    }
}

TEST(Jsonc, NestingDeeperThanTheLimitIsRefusedWithItsPosition)
{
    // Deep enough to overflow the stack of anything that walks the document recursively.
    for (const std::size_t depth : {std::size_t{50'000}, std::size_t{1'000'000}}) {
        try {
            (void)parse_jsonc(nested_json(depth, "[", "]"), "deep.jsonc");
            FAIL() << depth;
        } catch (const ConfigError& e) {
            EXPECT_STREQ(e.what(),
                         "deep.jsonc:1:257: arrays and objects nested deeper than 256 levels");
        }
        try {
            (void)parse_jsonc("{\n" + nested_json(depth, "\"a\": {", "}") + "}", "deep.jsonc");
            FAIL() << depth;
        } catch (const ConfigError& e) {
            EXPECT_STREQ(e.what(),
                         "deep.jsonc:2:1536: arrays and objects nested deeper than 256 levels");
        }
    }
    // Brackets in strings and comments do not count; 256 levels are fine.
    const Json doc = parse_jsonc("// [[[[\n\"" + std::string(300, '[') + "\"", "s.jsonc");
    EXPECT_EQ(doc, std::string(300, '['));
    EXPECT_NO_THROW((void)parse_jsonc(nested_json(256, "[", "]"), "ok.jsonc"));
}

TEST(Jsonc, NulInAStringIsRefused)
{
    try {
        (void)parse_jsonc("{\"a\": \"x\\u0000y\"}", "nul.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "nul.jsonc:1:9: a string holds \\u0000 (NUL), which no value may contain");
    }
    // An escaped backslash followed by "u0000" is text, not a NUL.
    EXPECT_EQ(parse_jsonc("\"\\\\u0000\"", "t.jsonc"), "\\u0000");
}

TEST(Jsonc, NumberBeyondADoubleIsRefusedWithItsPosition)
{
    try {
        (void)parse_jsonc("{\n  \"timeout\": -1e400\n}", "big.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "big.jsonc:2:14: number -1e400 is out of range (at most about "
                               "1.8e308 in size)");
    }
    EXPECT_EQ(parse_jsonc("[1e308, 1e-400, 123456789012345678901234567890]", "t.jsonc").size(), 3U);
}

TEST(Jsonc, RepeatedKeyKeepsItsPlaceAndTheLastValue)
{
    const Json doc = parse_jsonc(R"({"a": 1, "b": {"x": [1, {"y": 2}]}, "a": 3})", "t.jsonc");
    EXPECT_EQ(doc.dump(), R"({"a":3,"b":{"x":[1,{"y":2}]}})");
}

namespace {

std::optional<std::string> vars(std::string_view name)
{
    if (name == "experiment_id") {
        return std::string("exp1");
    }
    if (name == "n") {
        return std::string("3");
    }
    return std::nullopt;
}

} // namespace

TEST(Template, ExpandsLikePythonSafeSubstitute)
{
    EXPECT_EQ(expand_template("$experiment_id-vm", vars), "exp1-vm");
    EXPECT_EQ(expand_template("${experiment_id}x", vars), "exp1x");
    EXPECT_EQ(expand_template("$unknown and ${unknown}", vars), "$unknown and ${unknown}");
    EXPECT_EQ(expand_template("cost: $$5 $n", vars), "cost: $5 3");
    EXPECT_EQ(expand_template("$ alone, $1, ${bad", vars), "$ alone, $1, ${bad");
    EXPECT_EQ(expand_template("trailing $", vars), "trailing $");
}

TEST(Template, ExpandsInsideArraysAndObjects)
{
    const Json in = {{"a", {"$n", 5, "x$n"}}, {"b", {{"c", "${experiment_id}"}}}};
    const Json out = expand_json(in, vars);
    EXPECT_EQ(out["a"], Json({"3", 5, "x3"}));
    EXPECT_EQ(out["b"]["c"], "exp1");
}
