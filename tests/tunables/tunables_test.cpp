#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "mlosbench/util/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

using namespace mlosbench;

namespace {

TunableGroups load(const std::string& text)
{
    TunableGroups groups;
    groups.add_from_json(parse_jsonc(text, "t.jsonc"), "t.jsonc");
    return groups;
}

std::string error_of(const std::string& text)
{
    try {
        (void)load(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

const char* const k_space = R"({
    "g1": {"cost": 10, "params": {
        "threads": {"type": "int", "range": [1, 64], "default": 8, "special": [-1, 0]},
        "ratio": {"type": "float", "range": [0.0, 1.0], "default": 0.5, "quantization_bins": 5},
        "mode": {"type": "categorical", "values": ["fast", "safe", true, 3], "default": "safe"}
    }},
    "g2": {"cost": 1, "params": {
        "size": {"type": "int", "range": [1, 1024], "default": 16, "log": true,
                 "quantization_bins": 11},
        "alpha": {"type": "float", "range": [0.001, 10.0], "default": 1, "log": true,
                  "distribution": {"type": "normal", "params": {"mu": 1, "sigma": 2}}}
    }}
})";

} // namespace

TEST(Tunables, LoadsEveryKind)
{
    const TunableGroups g = load(k_space);
    EXPECT_EQ(g.size(), 5U);
    EXPECT_EQ(g.find("threads")->value(), TunableValue(std::int64_t{8}));
    EXPECT_EQ(g.find("ratio")->value(), TunableValue(0.5));
    EXPECT_EQ(g.find("alpha")->value(), TunableValue(1.0)); // int default coerced to float
    EXPECT_EQ(g.find("mode")->values(),
              (std::vector<std::string>{"fast", "safe", "True", "3"}));
}

TEST(Tunables, Cardinality)
{
    const TunableGroups g = load(k_space);
    EXPECT_EQ(g.find("threads")->cardinality(), 64U);
    EXPECT_EQ(g.find("ratio")->cardinality(), 5U);
    EXPECT_EQ(g.find("mode")->cardinality(), 4U);
    EXPECT_EQ(g.find("alpha")->cardinality(), std::nullopt);
}

TEST(Tunables, QuantizedPoints)
{
    const TunableGroups g = load(k_space);
    const auto ratio = g.find("ratio")->quantized_points();
    ASSERT_EQ(ratio.size(), 5U);
    EXPECT_EQ(ratio[1], TunableValue(0.25));
    EXPECT_EQ(ratio[4], TunableValue(1.0));
    // int: range(lo, hi + 1, int(span / (bins - 1))) = range(1, 1025, 102)
    const auto size = g.find("size")->quantized_points();
    EXPECT_EQ(size.front(), TunableValue(std::int64_t{1}));
    EXPECT_EQ(size[1], TunableValue(std::int64_t{103}));
    EXPECT_EQ(size.size(), 11U);
}

TEST(Tunables, GridIncludesSpecials)
{
    const TunableGroups g = load(k_space);
    const auto grid = g.find("threads")->grid_values();
    EXPECT_EQ(grid.size(), 66U);
    EXPECT_EQ(grid[0], TunableValue(std::int64_t{-1}));
    EXPECT_THROW((void)g.find("alpha")->grid_values(), Error);
}

TEST(Tunables, AssignmentRules)
{
    TunableGroups g = load(k_space);
    Tunable* threads = g.find("threads");
    threads->set_value(TunableValue(std::int64_t{-1})); // special, outside the range
    EXPECT_EQ(threads->value(), TunableValue(std::int64_t{-1}));
    threads->set_value(TunableValue(32.0)); // integral float is fine
    EXPECT_EQ(threads->value(), TunableValue(std::int64_t{32}));
    try {
        threads->set_value(TunableValue(2.5));
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "loss of precision: 'threads' is an int tunable, got 2.5");
    }
    try {
        threads->set_value(TunableValue(std::int64_t{100}));
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "value 100 of 'threads' is not in [1, 64] or a special value (-1, 0)");
    }
    try {
        g.find("mode")->set_value_json(Json("slow"));
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "value slow of 'mode' is not one of 'fast', 'safe', 'True', '3'");
    }
    g.find("mode")->set_value_json(Json(true));
    EXPECT_EQ(g.find("mode")->value(), TunableValue(std::string("True")));
}

TEST(Tunables, ValuesFilesAssignAndEmptyResets)
{
    TunableGroups g = load(k_space);
    g.apply_values_json(parse_jsonc(R"({"threads": 4, "mode": "fast"})", "v.jsonc"), "v.jsonc");
    EXPECT_EQ(g.find("threads")->value(), TunableValue(std::int64_t{4}));
    EXPECT_EQ(g.find("mode")->value(), TunableValue(std::string("fast")));
    EXPECT_EQ(g.find("ratio")->value(), TunableValue(0.5)); // untouched
    g.apply_values_json(Json::object(), "empty.jsonc");
    EXPECT_EQ(g.values(), g.defaults());
}

TEST(Tunables, ValuesFileErrorsNameFileAndPointer)
{
    TunableGroups g = load(k_space);
    try {
        g.apply_values_json(parse_jsonc(R"({"thread": 4})", "v.jsonc"), "v.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "v.jsonc: /thread: unknown tunable 'thread' (did you mean "
                               "'threads'?)");
    }
    try {
        g.apply_values_json(parse_jsonc(R"({"ratio": 7})", "v.jsonc"), "v.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "v.jsonc: /ratio: value 7.0 of 'ratio' is not in [0.0, 1.0]");
    }
}

TEST(Tunables, DefinitionErrors)
{
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"x": {"type": "int", "range": [5, 1],
              "default": 3}}}})"),
              "t.jsonc: /g/params/x/range: lower bound 5 must be below upper bound 1");
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"x": {"type": "int", "range": [1, 5],
              "default": 9}}}})"),
              "t.jsonc: /g/params/x/default: value 9 of 'x' is not in [1, 5]");
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"x": {"type": "categorical",
              "values": ["a", "b"], "default": "a", "values_weights": [1]}}}})"),
              "t.jsonc: /g/params/x/values_weights: expected 2 weights (one per value), got 1");
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"x": {"type": "int", "range": [1, 5],
              "default": 1, "special": [0], "special_weights": [1]}}}})"),
              "t.jsonc: /g/params/x/special_weights: 'special_weights' needs 'range_weight' too");
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"a!b": {"type": "int", "range": [1, 5],
              "default": 1}}}})"),
              "t.jsonc: /g/params/a!b: tunable name 'a!b' must not contain '!'");
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"x": {"type": "categorical",
              "values": ["a", "a"], "default": "a"}}}})"),
              "t.jsonc: /g/params/x/values: duplicate value 'a'");
}

TEST(Tunables, DuplicateTunableAcrossGroupsIsAnError)
{
    TunableGroups g = load(k_space);
    try {
        g.add_from_json(parse_jsonc(R"({"g3": {"cost": 1, "params": {"threads": {"type": "int",
            "range": [1, 2], "default": 1}}}})",
                                    "other.jsonc"),
                        "other.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "other.jsonc: /g3/params/threads: tunable 'threads' is already "
                               "defined in another group");
    }
}

TEST(Tunables, SameGroupTwiceMergesOnlyWhenIdentical)
{
    TunableGroups g = load(k_space);
    const std::string g2 = R"({"g2": {"cost": 1, "params": {
        "size": {"type": "int", "range": [1, 1024], "default": 16},
        "alpha": {"type": "float", "range": [0.001, 10.0], "default": 1}}}})";
    EXPECT_NO_THROW(g.add_from_json(parse_jsonc(g2, "again.jsonc"), "again.jsonc"));
    EXPECT_EQ(g.groups().size(), 2U);
    try {
        g.add_from_json(parse_jsonc(R"({"g2": {"cost": 2, "params": {"size": {"type": "int",
            "range": [1, 1024], "default": 16}}}})",
                                    "bad.jsonc"),
                        "bad.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "bad.jsonc: /g2: covariant group 'g2' is already defined with a "
                               "different cost or tunables");
    }
}

TEST(Tunables, SamplesStayInTheirDomains)
{
    const TunableGroups g = load(k_space);
    std::mt19937_64 rng(7);
    std::set<std::string> modes;
    int specials = 0;
    for (int i = 0; i < 2000; ++i) {
        for (const Tunable* t : g.tunables()) {
            const TunableValue v = t->sample(rng);
            ASSERT_TRUE(t->is_valid(v)) << t->name() << " = " << to_text(v);
        }
        const TunableValue ratio = g.find("ratio")->sample(rng);
        const double r = std::get<double>(ratio);
        EXPECT_TRUE(r == 0.0 || r == 0.25 || r == 0.5 || r == 0.75 || r == 1.0) << r;
        modes.insert(std::get<std::string>(g.find("mode")->sample(rng)));
        specials += g.find("threads")->is_special(g.find("threads")->sample(rng)) ? 1 : 0;
    }
    EXPECT_EQ(modes.size(), 4U);
    EXPECT_GT(specials, 800); // specials and range are chosen 50/50 without weights
    EXPECT_LT(specials, 1200);
}

TEST(Tunables, LogScaleSamplesFavourSmallValues)
{
    const TunableGroups g = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [1, 10000], "default": 1, "log": true}}}})");
    std::mt19937_64 rng(1);
    int below_100 = 0;
    for (int i = 0; i < 1000; ++i) {
        below_100 += std::get<double>(g.find("x")->sample(rng)) < 100 ? 1 : 0;
    }
    EXPECT_GT(below_100, 400); // uniform would give about 10
}

TEST(Tunables, SubsetAndUnknownGroup)
{
    const TunableGroups g = load(k_space);
    EXPECT_EQ(g.subset({"g2"}).size(), 2U);
    try {
        (void)g.subset({"g3"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "unknown tunable group 'g3' (did you mean 'g1'?)");
    }
}

TEST(Tunables, CanonicalTextIgnoresGroupOrder)
{
    const TunableGroups a = load(k_space);
    TunableGroups b;
    const Json doc = parse_jsonc(k_space, "t.jsonc");
    Json reversed = Json::object();
    reversed["g2"] = doc["g2"];
    reversed["g1"] = doc["g1"];
    b.add_from_json(reversed, "r.jsonc");
    EXPECT_EQ(a.canonical_text(a.values()), b.canonical_text(b.values()));
    TunableValues changed = a.values();
    changed["threads"] = std::int64_t{9};
    EXPECT_NE(a.canonical_text(changed), a.canonical_text(a.values()));
}

TEST(Tunable, QuantizationBinsAreBounded)
{
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"x": {"type": "float", "range": [0, 1],
        "default": 0.5, "quantization_bins": 2000000000}}}})"),
              "t.jsonc: /g/params/x/quantization_bins: expected an integer from 2 to 100000, got "
              "2000000000");
    EXPECT_EQ(error_of(R"({"g": {"cost": 1, "params": {"x": {"type": "float", "range": [0, 1],
        "default": 0.5, "quantization_bins": 100000}}}})"),
              "no error");
}

TEST(Tunable, QuantizedSamplesAreTheNearestPoints)
{
    // The nearest point is computed, not searched; it must be the one a search finds.
    const TunableGroups g = load(R"({"g": {"cost": 1, "params": {
        "f": {"type": "float", "range": [-3.5, 10], "default": 0, "quantization_bins": 7},
        "i": {"type": "int", "range": [0, 100], "default": 0, "quantization_bins": 34},
        "w": {"type": "int", "range": [0, 10], "default": 0, "quantization_bins": 60},
        "l": {"type": "float", "range": [1, 1000], "default": 1, "quantization_bins": 4,
              "log": true}}}})");
    std::mt19937_64 rng(7);
    for (const char* name : {"f", "i", "w", "l"}) {
        const Tunable& t = *g.find(name);
        const auto points = t.quantized_points();
        for (int n = 0; n < 2000; ++n) {
            const TunableValue v = t.sample(rng);
            EXPECT_NE(std::find(points.begin(), points.end(), v), points.end())
                << name << " " << to_text(v);
        }
    }
    // Every point is reached.
    const Tunable& i = *g.find("i");
    std::set<std::string> seen;
    for (int n = 0; n < 20000; ++n) {
        seen.insert(to_text(i.sample(rng)));
    }
    EXPECT_EQ(seen.size(), i.quantized_points().size());
}
