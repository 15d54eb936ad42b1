// The basic optimizers (docs/optimizers.md): OneShot, Mock, Manual, GridSearch, the common budget,
// targets and best(), and the factory's errors.

#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/util/error.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace mlosbench;

namespace {

TunableGroups load(const std::string& text)
{
    TunableGroups groups;
    groups.add_from_json(parse_jsonc(text, "t.jsonc"), "t.jsonc");
    return groups;
}

OptimizerSpec spec_of(const std::string& cls, const std::string& config = "{}")
{
    OptimizerSpec spec;
    spec.class_name = cls;
    spec.file = "opt.jsonc";
    spec.config = parse_jsonc(config, "opt.jsonc");
    return spec;
}

std::string error_of(const OptimizerSpec& spec, const TunableGroups& space)
{
    try {
        (void)make_optimizer(spec, space);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

Observation observed(const TunableValues& config, double score, Status status = Status::succeeded)
{
    Observation o;
    o.config = config;
    o.status = status;
    if (status == Status::succeeded) {
        o.scores["score"] = score;
    }
    return o;
}

// Every kind of tunable: ints with specials and log scale, quantized floats and ints, plain
// and log floats, categoricals with weights.
const char* const k_space = R"({
    "g1": {"cost": 1, "params": {
        "threads": {"type": "int", "range": [1, 64], "default": 8, "special": [-1, 0]},
        "ratio": {"type": "float", "range": [0.0, 1.0], "default": 0.5, "quantization_bins": 5},
        "mode": {"type": "categorical", "values": ["fast", "safe", "off"], "default": "safe",
                 "values_weights": [1, 1, 2]}
    }},
    "g2": {"cost": 1, "params": {
        "size": {"type": "int", "range": [1, 1024], "default": 16, "log": true},
        "step": {"type": "int", "range": [0, 100], "default": 50, "quantization_bins": 5},
        "alpha": {"type": "float", "range": [0.001, 10.0], "default": 1, "log": true},
        "beta": {"type": "float", "range": [-1, 1], "default": 0, "special": [5.5],
                 "special_weights": [1], "range_weight": 3}
    }}
})";

const char* const k_small_space = R"({"g": {"cost": 1, "params": {
    "n": {"type": "int", "range": [1, 3], "default": 2},
    "c": {"type": "categorical", "values": ["a", "b"], "default": "a"}
}}})";

} // namespace

TEST(OneShotOptimizer, SuggestsTheCurrentValuesOnce)
{
    TunableGroups space = load(k_small_space);
    space.assign({{"n", std::int64_t{3}}});
    auto opt = make_optimizer(spec_of("OneShotOptimizer"), space);
    EXPECT_EQ(opt->name(), "OneShotOptimizer");
    EXPECT_FALSE(opt->supports_preload());
    ASSERT_TRUE(opt->not_converged());
    const auto s = opt->suggest();
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->is_defaults);
    EXPECT_EQ(s->config, space.values());
    EXPECT_FALSE(opt->not_converged());
    EXPECT_FALSE(opt->suggest());
}

TEST(OneShotOptimizer, ResumedRunStillRunsItsValues)
{
    TunableGroups space = load(k_small_space);
    auto opt = make_optimizer(spec_of("OneShotOptimizer"), space);
    opt->register_observations({observed({{"n", std::int64_t{1}}, {"c", "b"}}, 5.0)});
    const auto s = opt->suggest();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->config, space.values());
}

TEST(MockOptimizer, EveryKindSampledWithinItsDomain)
{
    const TunableGroups space = load(k_space);
    OptimizerSpec spec = spec_of("MockOptimizer");
    spec.max_suggestions = 0;
    spec.start_with_defaults = false;
    auto opt = make_optimizer(spec, space);
    int special_threads = 0;
    int special_beta = 0;
    int small_sizes = 0;
    int size_ends = 0;
    std::set<std::string> modes;
    std::set<double> ratios;
    std::set<std::int64_t> steps;
    const int n = 3000;
    for (int i = 0; i < n; ++i) {
        const auto s = opt->suggest();
        ASSERT_TRUE(s);
        for (const Tunable* t : space.tunables()) {
            ASSERT_TRUE(t->is_valid(s->config.at(t->name())))
                << t->name() << " = " << to_text(s->config.at(t->name()));
        }
        special_threads += space.find("threads")->is_special(s->config.at("threads")) ? 1 : 0;
        special_beta += space.find("beta")->is_special(s->config.at("beta")) ? 1 : 0;
        const auto size = std::get<std::int64_t>(s->config.at("size"));
        small_sizes += size <= 32 ? 1 : 0;
        size_ends += size == 1 || size == 1024 ? 1 : 0;
        modes.insert(std::get<std::string>(s->config.at("mode")));
        ratios.insert(std::get<double>(s->config.at("ratio")));
        steps.insert(std::get<std::int64_t>(s->config.at("step")));
    }
    EXPECT_EQ(modes.size(), 3U);
    EXPECT_EQ(ratios, (std::set<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
    EXPECT_EQ(steps, (std::set<std::int64_t>{0, 25, 50, 75, 100}));
    EXPECT_NEAR(special_threads, n / 2.0, n / 10.0); // specials and range 50/50 without weights
    EXPECT_NEAR(special_beta, n / 4.0, n / 15.0);    // special_weights [1] vs range_weight 3
    EXPECT_NEAR(small_sizes, n / 2.0, n / 10.0);     // log scale: 1..32 is half of 1..1024
    EXPECT_GT(size_ends, 0);                     // the ends of an int range are drawn too
}

TEST(MockOptimizer, IntsAreUniformEndsIncluded)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "n": {"type": "int", "range": [0, 2], "default": 1}}}})");
    OptimizerSpec spec = spec_of("MockOptimizer");
    spec.max_suggestions = 0;
    spec.start_with_defaults = false;
    auto opt = make_optimizer(spec, space);
    std::map<std::int64_t, int> counts;
    for (int i = 0; i < 3000; ++i) {
        ++counts[std::get<std::int64_t>(opt->suggest()->config.at("n"))];
    }
    for (std::int64_t v = 0; v <= 2; ++v) {
        EXPECT_NEAR(counts[v], 1000, 100) << v;
    }
}

TEST(MockOptimizer, DefaultsFirstThenSeededRandom)
{
    const TunableGroups space = load(k_space);
    OptimizerSpec spec = spec_of("MockOptimizer");
    spec.seed = 7;
    auto a = make_optimizer(spec, space);
    auto b = make_optimizer(spec, space);
    const auto first = a->suggest();
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->is_defaults);
    EXPECT_EQ(first->config, space.values());
    (void)b->suggest();
    for (int i = 0; i < 20; ++i) {
        const auto x = a->suggest();
        const auto y = b->suggest();
        ASSERT_TRUE(x && y);
        EXPECT_FALSE(x->is_defaults);
        EXPECT_EQ(x->config, y->config);
    }
    spec.seed = 8;
    auto c = make_optimizer(spec, space);
    (void)c->suggest();
    EXPECT_NE(c->suggest()->config, a->suggest()->config);
}

TEST(MockOptimizer, PriorObservationsDropStartWithDefaults)
{
    const TunableGroups space = load(k_small_space);
    auto opt = make_optimizer(spec_of("MockOptimizer"), space);
    EXPECT_TRUE(opt->supports_preload());
    opt->register_observations({observed({{"n", std::int64_t{1}}, {"c", "b"}}, 5.0)});
    const auto s = opt->suggest();
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->is_defaults);
}

TEST(Optimizer, BudgetCountsSuggestionsOfThisRun)
{
    const TunableGroups space = load(k_small_space);
    OptimizerSpec spec = spec_of("MockOptimizer");
    spec.max_suggestions = 3;
    auto opt = make_optimizer(spec, space);
    // Earlier results do not use up the budget.
    opt->register_observations({observed({{"n", std::int64_t{1}}, {"c", "b"}}, 1.0),
                                observed({{"n", std::int64_t{2}}, {"c", "b"}}, 2.0)});
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(opt->not_converged());
        EXPECT_TRUE(opt->suggest());
    }
    EXPECT_FALSE(opt->not_converged());
    EXPECT_FALSE(opt->suggest());

    spec.max_suggestions = 0; // no limit
    auto unlimited = make_optimizer(spec, space);
    for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(unlimited->suggest());
    }
    EXPECT_TRUE(unlimited->not_converged());
}

TEST(Optimizer, BestIsLexicographicInTheUsersSign)
{
    const TunableGroups space = load(k_small_space);
    OptimizerSpec spec = spec_of("MockOptimizer");
    spec.targets = {{"throughput", "max"}, {"latency", "min"}};
    auto opt = make_optimizer(spec, space);
    EXPECT_FALSE(opt->best());
    const auto obs = [](std::int64_t n, std::string c, double throughput, double latency) {
        Observation o;
        o.config = {{"n", n}, {"c", std::move(c)}};
        o.scores = {{"throughput", throughput}, {"latency", latency}};
        return o;
    };
    Observation failed = obs(3, "b", 1e9, 0);
    failed.status = Status::failed;
    failed.scores.clear();
    Observation missing = obs(3, "a", 1e9, 0);
    missing.scores.erase("latency"); // counted as failed, not a crash
    opt->register_observations({obs(1, "a", 100, 9), obs(2, "a", 120, 7), obs(1, "b", 120, 5),
                                obs(2, "b", 110, 1), failed, missing});
    const auto best = opt->best();
    ASSERT_TRUE(best);
    EXPECT_EQ(best->config, (TunableValues{{"n", std::int64_t{1}}, {"c", "b"}}));
    EXPECT_EQ(best->scores, (std::map<std::string, double>{{"throughput", 120}, {"latency", 5}}));
    EXPECT_EQ(opt->targets(), spec.targets);
}

TEST(ManualOptimizer, CyclesThroughItsValues)
{
    TunableGroups space = load(k_small_space);
    space.assign({{"n", std::int64_t{3}}});
    const std::string config =
        R"({"tunable_values_cycle": [{"c": "b"}, {}, {"n": 1, "c": "b"}], "max_cycles": 2})";
    OptimizerSpec spec = spec_of("ManualOptimizer", config);
    spec.max_suggestions = 0;
    auto opt = make_optimizer(spec, space);
    EXPECT_FALSE(opt->supports_preload());
    const std::vector<TunableValues> expected = {
        {{"n", std::int64_t{3}}, {"c", "b"}}, // on top of the current values
        {{"n", std::int64_t{2}}, {"c", "a"}}, // {} = the defaults
        {{"n", std::int64_t{1}}, {"c", "b"}},
    };
    for (int cycle = 0; cycle < 2; ++cycle) {
        for (const auto& config_i : expected) {
            const auto s = opt->suggest();
            ASSERT_TRUE(s);
            EXPECT_EQ(s->config, config_i);
        }
    }
    EXPECT_FALSE(opt->not_converged());
    EXPECT_FALSE(opt->suggest());

    spec.max_suggestions = 4; // min(4, 2 x 3)
    auto capped = make_optimizer(spec, space);
    int count = 0;
    while (capped->suggest()) {
        ++count;
    }
    EXPECT_EQ(count, 4);

    auto once =
        make_optimizer(spec_of("ManualOptimizer", R"({"tunable_values_cycle": [{}]})"), space);
    EXPECT_TRUE(once->suggest());
    EXPECT_FALSE(once->suggest()); // max_cycles defaults to 1
}

TEST(ManualOptimizer, BadEntryNamesItsPlace)
{
    const TunableGroups space = load(k_small_space);
    EXPECT_EQ(
        error_of(spec_of("ManualOptimizer", R"({"tunable_values_cycle": [{}, {"m": 1}]})"), space),
        "opt.jsonc: /config/tunable_values_cycle/1/m: unknown tunable 'm' (did you mean "
        "'n'?)");
    EXPECT_EQ(error_of(spec_of("ManualOptimizer", R"({"max_cycles": 2})"), space),
              "opt.jsonc: /config/tunable_values_cycle: ManualOptimizer needs a non-empty list of "
              "tunable values");
}

TEST(GridSearchOptimizer, EnumeratesExactlyTheGrid)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "n": {"type": "int", "range": [1, 3], "default": 2, "special": [-1]},
        "x": {"type": "float", "range": [0, 1], "default": 0.5, "quantization_bins": 3},
        "c": {"type": "categorical", "values": ["a", "b"], "default": "a"}
    }}})");
    OptimizerSpec spec = spec_of("GridSearchOptimizer");
    spec.max_suggestions = 0;
    auto opt = make_optimizer(spec, space);
    std::set<std::string> seen;
    std::vector<TunableValues> configs;
    while (auto s = opt->suggest()) {
        std::string key;
        for (const auto& [name, value] : s->config) {
            key += name + "=" + to_text(value) + " ";
        }
        EXPECT_TRUE(seen.insert(key).second) << "twice: " << key;
        configs.push_back(s->config);
    }
    EXPECT_FALSE(opt->not_converged());
    // (special + 3 ints) x 3 points x 2 levels, the defaults first.
    EXPECT_EQ(seen.size(), 4U * 3U * 2U);
    EXPECT_EQ(configs.front(), space.values());
    std::set<std::string> expected;
    for (const char* n : {"-1", "1", "2", "3"}) {
        for (const char* c : {"a", "b"}) {
            for (const char* x : {"0.0", "0.5", "1.0"}) {
                expected.insert(std::string("c=") + c + " n=" + n + " x=" + x + " ");
            }
        }
    }
    EXPECT_EQ(seen, expected);
}

TEST(GridSearchOptimizer, RegisteredPointsLeaveThePendingSet)
{
    const TunableGroups space = load(k_small_space);
    OptimizerSpec spec = spec_of("GridSearchOptimizer");
    spec.max_suggestions = 0;
    auto opt = make_optimizer(spec, space);
    // A resumed run: three grid points already have results (and the defaults are skipped).
    opt->register_observations(
        {observed({{"n", std::int64_t{1}}, {"c", "a"}}, 1.0),
         observed({{"n", std::int64_t{2}}, {"c", "a"}}, 1.0),
         observed({{"n", std::int64_t{3}}, {"c", "b"}}, 1.0, Status::failed)});
    std::vector<TunableValues> rest;
    while (auto s = opt->suggest()) {
        EXPECT_FALSE(s->is_defaults);
        rest.push_back(s->config);
    }
    EXPECT_EQ(rest, (std::vector<TunableValues>{{{"n", std::int64_t{1}}, {"c", "b"}},
                                                {{"n", std::int64_t{2}}, {"c", "b"}},
                                                {{"n", std::int64_t{3}}, {"c", "a"}}}));
}

TEST(GridSearchOptimizer, PointsOtherWorkersRunAreSkipped)
{
    const TunableGroups space = load(k_small_space);
    OptimizerSpec spec = spec_of("GridSearchOptimizer");
    spec.max_suggestions = 0;
    auto opt = make_optimizer(spec, space);
    // Another worker started first: it runs the defaults (n 2, c a) and (n 1, c b).
    opt->register_pending({space.values(), {{"n", std::int64_t{1}}, {"c", "b"}}});
    std::vector<TunableValues> rest;
    while (auto s = opt->suggest()) {
        EXPECT_FALSE(s->is_defaults);
        rest.push_back(s->config);
    }
    EXPECT_EQ(rest, (std::vector<TunableValues>{{{"n", std::int64_t{1}}, {"c", "a"}},
                                                {{"n", std::int64_t{2}}, {"c", "b"}},
                                                {{"n", std::int64_t{3}}, {"c", "a"}},
                                                {{"n", std::int64_t{3}}, {"c", "b"}}}));
}

TEST(GridSearchOptimizer, BudgetStopsEarly)
{
    const TunableGroups space = load(k_small_space);
    OptimizerSpec spec = spec_of("GridSearchOptimizer");
    spec.max_suggestions = 2;
    auto opt = make_optimizer(spec, space);
    EXPECT_TRUE(opt->suggest());
    EXPECT_TRUE(opt->suggest());
    EXPECT_FALSE(opt->not_converged());
}

TEST(MakeOptimizer, BadConfigs)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "n": {"type": "int", "range": [1, 3], "default": 2},
        "x": {"type": "float", "range": [0, 1], "default": 0.5}
    }}})");
    EXPECT_EQ(error_of(spec_of("GridSearchOptimizer"), space),
              "opt.jsonc: GridSearchOptimizer needs every tunable to have a finite set of values: "
              "'x' is a float without quantization_bins");
    EXPECT_EQ(error_of(spec_of("MlosCoreOptimizer", R"({"optimizer_type": "GA"})"), space),
              "opt.jsonc: /config/optimizer_type: unknown optimizer_type 'GA': expected \"SMAC\", "
              "\"FLAML\", \"RANDOM\" or null");
    EXPECT_EQ(error_of(spec_of("MockOptimiser"), space),
              "opt.jsonc: /class: unknown optimizer class 'MockOptimiser' (did you mean "
              "'MockOptimizer'?)");
    EXPECT_EQ(error_of(spec_of("TpeOptimizer", R"({"n_random_init": 0})"), space),
              "opt.jsonc: /config/n_random_init: expected an integer from 1 to 10000, got 0");
}

TEST(MakeOptimizer, MlosCoreOptimizerMapsToOurs)
{
    const TunableGroups space = load(k_small_space);
    for (const char* type : {R"({})", R"({"optimizer_type": null})", R"({"optimizer_type": "SMAC",
             "n_random_init": 3, "max_trials": 50, "space_adapter_type": null})",
                             R"({"optimizer_type": "FLAML"})", R"({"optimizer_type": "RANDOM"})"}) {
        auto opt = make_optimizer(spec_of("mlos_bench.optimizers.MlosCoreOptimizer", type), space);
        EXPECT_EQ(opt->name(), "MlosCoreOptimizer");
        EXPECT_TRUE(opt->supports_preload());
        const auto s = opt->suggest();
        ASSERT_TRUE(s);
        EXPECT_TRUE(s->is_defaults);
    }
}

TEST(GridSearchOptimizer, AnAxisTooLargeIsRefusedBeforeItIsListed)
{
    // 10^12 values: listing them first (as the size check once did) exhausts memory.
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "offset": {"type": "int", "range": [0, 1000000000000], "default": 0},
        "all": {"type": "int", "range": [-9223372036854775807, 9223372036854775807], "default": 0}
    }}})");
    EXPECT_EQ(error_of(spec_of("GridSearchOptimizer"), space),
              "opt.jsonc: GridSearchOptimizer: the grid has more than 100000000 points; quantize "
              "or remove some tunables");
}

TEST(TpeOptimizer, RandomInitIsBounded)
{
    const TunableGroups space = load(k_small_space);
    EXPECT_EQ(error_of(spec_of("TpeOptimizer", R"({"n_random_init": 1000000000})"), space),
              "opt.jsonc: /config/n_random_init: expected an integer from 1 to 10000, got "
              "1000000000");
    EXPECT_EQ(error_of(spec_of("TpeOptimizer", R"({"n_random_init": 10000})"), space), "no error");
}
