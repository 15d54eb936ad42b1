// TpeOptimizer, our model-based optimizer: domains, determinism, convergence, failures,
// warm start, pending trials and several targets.

#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/optimizers/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>

using namespace mlosbench;

namespace {

TunableGroups load(const std::string& text)
{
    TunableGroups groups;
    groups.add_from_json(parse_jsonc(text, "t.jsonc"), "t.jsonc");
    return groups;
}

OptimizerSpec
tpe_spec(std::int64_t seed = 1, std::int64_t budget = 0, const std::string& config = "{}")
{
    OptimizerSpec spec;
    spec.class_name = "TpeOptimizer";
    spec.seed = seed;
    spec.max_suggestions = budget;
    spec.start_with_defaults = false;
    spec.config = parse_jsonc(config, "opt.jsonc");
    return spec;
}

double number(const TunableValue& v)
{
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        return static_cast<double>(*i);
    }
    return std::get<double>(v);
}

using Objective = std::function<std::optional<double>(const TunableValues&)>;

// Runs `trials` suggest/register rounds; nullopt from `f` is a failed trial.
std::vector<TunableValues> run(Optimizer& opt, const Objective& f, int trials)
{
    std::vector<TunableValues> out;
    for (int i = 0; i < trials; ++i) {
        const auto s = opt.suggest();
        if (!s) {
            break;
        }
        Observation o;
        o.config = s->config;
        const auto score = f(s->config);
        o.status = score ? Status::succeeded : Status::failed;
        if (score) {
            o.scores["score"] = *score;
        }
        opt.register_observations({o});
        out.push_back(s->config);
    }
    return out;
}

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
                 "distribution": {"type": "normal", "params": {"mu": 0, "sigma": 0.3}}}
    }}
})";

// A function of every kind of tunable, smallest at threads=-1 (a special value), ratio 0.75,
// mode "fast", size 64, step 25, alpha 0.01, beta 0.2.
std::optional<double> mixed(const TunableValues& v)
{
    const double threads = number(v.at("threads"));
    double f = threads == -1 ? 0.0 : threads == 0 ? 0.5 : 0.2 + std::abs(threads - 32) / 64.0;
    f += std::pow(number(v.at("ratio")) - 0.75, 2);
    f += std::get<std::string>(v.at("mode")) == "fast" ? 0.0 : 0.3;
    f += std::pow(std::log2(number(v.at("size"))) - 6, 2) / 20;
    f += std::pow(number(v.at("step")) - 25, 2) / 2000;
    f += std::pow(std::log10(number(v.at("alpha"))) + 2, 2) / 10;
    const double beta = number(v.at("beta"));
    f += beta == 5.5 ? 1.0 : std::pow(beta - 0.2, 2);
    return f;
}

} // namespace

TEST(TpeOptimizer, EveryKindSuggestedWithinItsDomain)
{
    const TunableGroups space = load(k_space);
    auto opt = make_optimizer(tpe_spec(3), space);
    EXPECT_EQ(opt->name(), "TpeOptimizer");
    EXPECT_TRUE(opt->supports_preload());
    const auto configs = run(*opt, mixed, 60);
    ASSERT_EQ(configs.size(), 60U);
    std::set<std::string> keys;
    bool special_threads = false;
    for (const auto& c : configs) {
        ASSERT_EQ(c.size(), space.size());
        for (const Tunable* t : space.tunables()) {
            ASSERT_TRUE(t->is_valid(c.at(t->name())))
                << t->name() << " = " << to_text(c.at(t->name()));
        }
        const double r = std::get<double>(c.at("ratio"));
        EXPECT_TRUE(r == 0.0 || r == 0.25 || r == 0.5 || r == 0.75 || r == 1.0) << r;
        EXPECT_EQ(std::get<std::int64_t>(c.at("step")) % 25, 0);
        special_threads = special_threads || std::get<std::int64_t>(c.at("threads")) == -1;
        std::string key;
        for (const auto& [name, value] : c) {
            key += to_text(value) + " ";
        }
        EXPECT_TRUE(keys.insert(key).second) << "suggested twice: " << key;
    }
    EXPECT_TRUE(special_threads);
    const auto best = opt->best();
    ASSERT_TRUE(best);
    EXPECT_LT(best->scores.at("score"), 0.3);
    EXPECT_EQ(std::get<std::int64_t>(best->config.at("threads")), -1);
    EXPECT_EQ(std::get<std::string>(best->config.at("mode")), "fast");
}

TEST(TpeOptimizer, SameSeedSameSuggestions)
{
    const TunableGroups space = load(k_space);
    auto a = make_optimizer(tpe_spec(11), space);
    auto b = make_optimizer(tpe_spec(11), space);
    auto c = make_optimizer(tpe_spec(12), space);
    const auto ra = run(*a, mixed, 25);
    EXPECT_EQ(ra, run(*b, mixed, 25));
    EXPECT_NE(ra, run(*c, mixed, 25));
}

TEST(TpeOptimizer, ConcentratesNearTheMinimumOfAConvexFunction)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [0, 1], "default": 0.5},
        "y": {"type": "float", "range": [-5, 5], "default": 0},
        "n": {"type": "int", "range": [1, 100], "default": 50}
    }}})");
    const auto f = [](const TunableValues& v) -> std::optional<double> {
        const double x = number(v.at("x")) - 0.3;
        const double y = (number(v.at("y")) - 2) / 10;
        const double n = (number(v.at("n")) - 71) / 100;
        return x * x + y * y + n * n;
    };
    auto opt = make_optimizer(tpe_spec(5, 40), space);
    const auto configs = run(*opt, f, 100);
    EXPECT_EQ(configs.size(), 40U); // the budget
    EXPECT_LT(opt->best()->scores.at("score"), 1e-3);
    int near = 0;
    for (std::size_t i = 30; i < 40; ++i) {
        near += *f(configs[i]) < 0.01 ? 1 : 0;
    }
    EXPECT_GE(near, 5); // the rest explores
}

TEST(TpeOptimizer, AvoidsWhereTrialsFail)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [0, 1], "default": 0.5},
        "y": {"type": "float", "range": [0, 1], "default": 0.5}
    }}})");
    // Best near x = 0.6, but everything above x = 0.5 fails.
    const auto f = [](const TunableValues& v) -> std::optional<double> {
        const double x = number(v.at("x"));
        if (x > 0.5) {
            return std::nullopt;
        }
        return std::pow(x - 0.6, 2) + std::pow(number(v.at("y")) - 0.5, 2);
    };
    auto opt = make_optimizer(tpe_spec(2), space);
    const auto configs = run(*opt, f, 40);
    int failed = 0;
    for (std::size_t i = 20; i < configs.size(); ++i) {
        failed += f(configs[i]) ? 0 : 1;
    }
    EXPECT_LE(failed, 5);
    EXPECT_LT(opt->best()->scores.at("score"), 0.02);
}

// The quickstart's space with xz missing: every xz trial fails. Across seeds, at most three
// trials go to xz, no failed config is tried twice, and the rest explores every gzip level.
TEST(TpeOptimizer, StopsProposingAToolThatAlwaysFails)
{
    const TunableGroups space = load(R"({"c": {"cost": 1, "params": {
        "tool": {"type": "categorical", "values": ["gzip", "xz"], "default": "gzip"},
        "level": {"type": "int", "range": [1, 9], "default": 6}
    }}})");
    const auto f = [](const TunableValues& v) -> std::optional<double> {
        if (std::get<std::string>(v.at("tool")) == "xz") {
            return std::nullopt;
        }
        const double level = number(v.at("level"));
        return 1000.0 / level + 30 * level;
    };
    for (std::int64_t seed = 1; seed <= 20; ++seed) {
        OptimizerSpec spec = tpe_spec(seed, 20);
        spec.start_with_defaults = true;
        auto opt = make_optimizer(spec, space);
        const auto configs = run(*opt, f, 20);
        ASSERT_EQ(configs.size(), 20U);
        int xz = 0;
        std::set<std::int64_t> gzip_levels;
        std::set<std::int64_t> xz_levels;
        for (const auto& c : configs) {
            const auto level = std::get<std::int64_t>(c.at("level"));
            if (std::get<std::string>(c.at("tool")) == "xz") {
                ++xz;
                EXPECT_TRUE(xz_levels.insert(level).second)
                    << "seed " << seed << ": xz -" << level << " failed and was tried again";
            } else {
                gzip_levels.insert(level);
            }
        }
        EXPECT_LE(xz, 3) << "seed " << seed;
        EXPECT_EQ(gzip_levels.size(), 9U) << "seed " << seed;
    }
}

// A failing region in a mixed space: one categorical value always fails and a corner of the
// floats fails. After the first few, trials keep out of both, and none is repeated.
TEST(TpeOptimizer, LearnsAFailingLevelAndAFailingCorner)
{
    const TunableGroups space = load(k_space);
    const auto fails = [](const TunableValues& v) {
        return std::get<std::string>(v.at("mode")) == "off" ||
               (number(v.at("ratio")) >= 0.75 && number(v.at("alpha")) > 1.0);
    };
    const auto f = [&](const TunableValues& v) -> std::optional<double> {
        if (fails(v)) {
            return std::nullopt;
        }
        return std::pow(number(v.at("ratio")) - 0.75, 2) +
               std::pow(std::log10(number(v.at("alpha"))), 2) +
               (std::get<std::string>(v.at("mode")) == "fast" ? 0.0 : 0.5);
    };
    auto opt = make_optimizer(tpe_spec(3), space);
    const auto configs = run(*opt, f, 60);
    int off = 0;
    int late_failures = 0;
    std::set<std::string> failed;
    for (std::size_t i = 0; i < configs.size(); ++i) {
        off += std::get<std::string>(configs[i].at("mode")) == "off" ? 1 : 0;
        if (fails(configs[i])) {
            late_failures += i >= 30 ? 1 : 0;
            std::string key;
            for (const auto& [name, value] : configs[i]) {
                key += name + "=" + to_text(value) + " ";
            }
            EXPECT_TRUE(failed.insert(key).second) << key << "failed and was tried again";
        }
    }
    EXPECT_LE(off, 3);
    EXPECT_LE(late_failures, 3);
    EXPECT_LT(opt->best()->scores.at("score"), 0.05);
}

// A space with one point: every suggestion is that point, and suggesting does not spin.
TEST(TpeOptimizer, SpaceOfOnePointRepeatsIt)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "mode": {"type": "categorical", "values": ["only"], "default": "only"}
    }}})");
    auto opt = make_optimizer(tpe_spec(1, 12), space);
    const auto configs = run(
        *opt, [](const TunableValues&) -> std::optional<double> { return 1.0; }, 12);
    ASSERT_EQ(configs.size(), 12U);
    for (const auto& c : configs) {
        EXPECT_EQ(std::get<std::string>(c.at("mode")), "only");
    }
}

// A float range as wide as doubles go: suggestions stay finite and in range, and do not spin.
TEST(TpeOptimizer, FloatRangeAsWideAsDoublesGo)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [-1.7e308, 1.7e308], "default": 0}
    }}})");
    auto opt = make_optimizer(tpe_spec(1, 12), space);
    const auto configs = run(
        *opt, [](const TunableValues& v) -> std::optional<double> { return number(v.at("x")); },
        12);
    ASSERT_EQ(configs.size(), 12U);
    for (const auto& c : configs) {
        const double x = number(c.at("x"));
        EXPECT_TRUE(std::isfinite(x) && x >= -1.7e308 && x <= 1.7e308) << x;
    }
}

TEST(TpeOptimizer, WarmStartFromEarlierTrials)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [0, 1], "default": 0.5}
    }}})");
    OptimizerSpec spec = tpe_spec(1);
    spec.start_with_defaults = true;
    auto opt = make_optimizer(spec, space);
    std::vector<Observation> earlier;
    for (int i = 0; i <= 10; ++i) {
        Observation o;
        o.config = {{"x", i / 10.0}};
        o.scores["score"] = std::pow(i / 10.0 - 0.23, 2);
        earlier.push_back(o);
    }
    opt->register_observations(earlier);
    const auto s = opt->suggest();
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->is_defaults);
    EXPECT_NEAR(std::get<double>(s->config.at("x")), 0.23, 0.08); // the model, right away
    EXPECT_EQ(opt->best()->config, (TunableValues{{"x", 0.2}}));
}

TEST(TpeOptimizer, PendingTrialsGetDistinctSuggestions)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "n": {"type": "int", "range": [1, 4], "default": 1},
        "c": {"type": "categorical", "values": ["a", "b", "c"], "default": "a"}
    }}})");
    auto opt = make_optimizer(tpe_spec(4), space);
    const auto f = [](const TunableValues& v) -> std::optional<double> {
        return number(v.at("n")) + (std::get<std::string>(v.at("c")) == "b" ? 0 : 3);
    };
    // Twelve configs in all: they come without repeats, four at a time in parallel.
    std::set<TunableValues> seen;
    for (int round = 0; round < 3; ++round) {
        std::vector<Suggestion> batch;
        for (int k = 0; k < 4; ++k) {
            batch.push_back(*opt->suggest());
            EXPECT_TRUE(seen.insert(batch.back().config).second);
        }
        std::vector<Observation> results;
        for (const auto& s : batch) {
            Observation o;
            o.config = s.config;
            o.scores["score"] = *f(s.config);
            results.push_back(o);
        }
        opt->register_observations(results);
    }
    EXPECT_EQ(seen.size(), 12U);
    EXPECT_TRUE(opt->suggest()); // then repeats are allowed
}

TEST(TpeOptimizer, SeveralTargets)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [0, 1], "default": 0.5}
    }}})");
    OptimizerSpec spec = tpe_spec(9, 30);
    spec.targets = {{"latency", "min"}, {"throughput", "max"}};
    auto opt = make_optimizer(spec, space);
    std::vector<double> xs;
    while (auto s = opt->suggest()) {
        const double x = std::get<double>(s->config.at("x"));
        xs.push_back(x);
        Observation o;
        o.config = s->config;
        o.scores = {{"latency", x * x}, {"throughput", 1 - (1 - x) * (1 - x)}};
        opt->register_observations({o});
    }
    EXPECT_EQ(xs.size(), 30U);
    // Both ends of the front are explored, not only one target's optimum.
    EXPECT_TRUE(std::any_of(xs.begin(), xs.end(), [](double x) { return x < 0.2; }));
    EXPECT_TRUE(std::any_of(xs.begin(), xs.end(), [](double x) { return x > 0.8; }));
    EXPECT_LT(opt->best()->scores.at("latency"), 0.01); // lexicographic: latency first
}

TEST(TpeOptimizer, HonoursNRandomInit)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [0, 1], "default": 0.5}
    }}})");
    // With 20 initial points spread over [0, 1], the first 20 cover every fifth of it.
    auto opt = make_optimizer(tpe_spec(1, 0, R"({"n_random_init": 20})"), space);
    const auto configs = run(
        *opt, [](const TunableValues& v) { return std::optional(number(v.at("x"))); }, 20);
    std::set<int> fifths;
    for (const auto& c : configs) {
        fifths.insert(static_cast<int>(std::get<double>(c.at("x")) * 5));
    }
    EXPECT_EQ(fifths.size(), 5U);
}

// The first trial fails: the feasibility model is trained on that one observation (no pairs
// of points at all), and the next suggestions come as usual.
TEST(TpeOptimizer, FirstTrialFailing)
{
    const TunableGroups space = load(R"({"g": {"cost": 1, "params": {
        "x": {"type": "float", "range": [0, 1], "default": 0.5}
    }}})");
    int calls = 0;
    const auto f = [&calls](const TunableValues& v) -> std::optional<double> {
        if (++calls == 1) {
            return std::nullopt;
        }
        return number(v.at("x"));
    };
    auto opt = make_optimizer(tpe_spec(3, 0, R"({"n_random_init": 1})"), space);
    EXPECT_EQ(run(*opt, f, 4).size(), 4U);
    EXPECT_EQ(calls, 4);
}
