// The benchmark problems of bench/optbench_problems.hpp against known values of each function
// (its optimum and a few points).

#include "../../bench/optbench_problems.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace optbench;

namespace {

void expect_close(double got, double want)
{
    EXPECT_NEAR(got, want, 1e-12 * std::max(1.0, std::abs(want))) << "want " << want;
}

const Problem& problem(const std::string& name)
{
    for (const auto& p : problems()) {
        if (p.name == name) {
            return p;
        }
    }
    throw std::runtime_error("no problem " + name);
}

} // namespace

TEST(OptbenchProblems, Branin)
{
    expect_close(branin(-5, 0), 308.12909601160663);
    expect_close(branin(0, 0), 55.602112642270264);
    expect_close(branin(2.5, 7.5), 24.129964413622268);
    for (const auto& [x1, x2] : {std::pair{-M_PI, 12.275}, {M_PI, 2.275}, {3 * M_PI, 2.475}}) {
        expect_close(branin(x1, x2), problem("branin").optimum);
    }
}

TEST(OptbenchProblems, Hartmann6)
{
    expect_close(hartmann6({0.5, 0.5, 0.5, 0.5, 0.5, 0.5}), -0.50531499170223326);
    expect_close(hartmann6({0, 0.25, 0.5, 0.75, 1, 0.1}), -0.021528568653377676);
    EXPECT_NEAR(hartmann6({0.20168951, 0.15001069, 0.47687397, 0.27533243, 0.31165161, 0.65730053}),
                problem("hartmann6").optimum, 1e-8);
}

TEST(OptbenchProblems, Rosenbrock4)
{
    expect_close(rosenbrock4({0, 0, 0, 0}), 3);
    expect_close(rosenbrock4({-1.5, 2, 0.5, 9}), 8895);
    expect_close(rosenbrock4({1, 1, 1, 1}), 0);
}

TEST(OptbenchProblems, Mixedsys)
{
    const auto at = [](std::int64_t w, std::int64_t b, std::int64_t p, double r, double t,
                       const char* s, const char* c) {
        return mixedsys(MixedsysPoint{w, b, p, r, t, s, c});
    };
    expect_close(at(1, 1, 0, 0, 0.1, "fifo", "none"), 8.25604343889853);
    expect_close(at(32, 65536, 16, 1, 1000, "deadline", "zstd"), 5.3873439238523551);
    expect_close(at(16, 4096, 3, 0.55, 2.5, "rr", "lz4"), 2.6909363630404992);
    expect_close(at(26, 4000, 3, 0.85, 50, "cfs", "lz4"), 1.0000246835130882);
    expect_close(at(14, 1024, 3, 0.79, 50, "deadline", "lz4"), 1.125);
    expect_close(at(17, 256, 8, 0.5, 31.62, "cfs", "zstd"), 1.9871670098183616);
    expect_close(mixedsys(MixedsysPoint{}), 4.8965968616656514); // the shipped defaults
    expect_close(at(26, 4096, 3, 0.85, 50, "cfs", "lz4"), 1.0);
}

TEST(OptbenchProblems, SpacesHoldTheirOptimumAndDefaults)
{
    for (const auto& p : problems()) {
        mlosbench::TunableGroups space;
        space.add_from_json(mlosbench::Json::parse(p.tunables), p.name);
        const double at_defaults = p.evaluate(space.values());
        EXPECT_TRUE(std::isfinite(at_defaults)) << p.name;
        EXPECT_GT(at_defaults, p.optimum) << p.name;
    }
    mlosbench::TunableGroups space;
    space.add_from_json(mlosbench::Json::parse(problem("mixedsys").tunables), "mixedsys");
    EXPECT_DOUBLE_EQ(problem("mixedsys").evaluate(space.values()), 4.8965968616656514);
    space.assign({{"workers", std::int64_t{26}},
                  {"buffer_kb", std::int64_t{4096}},
                  {"prefetch", std::int64_t{3}},
                  {"cache_ratio", 0.85},
                  {"flush_ms", 50.0},
                  {"scheduler", "cfs"},
                  {"compression", "lz4"}});
    EXPECT_DOUBLE_EQ(problem("mixedsys").evaluate(space.values()), 1.0);
    EXPECT_TRUE(space.find("prefetch")->is_special(mlosbench::TunableValue(std::int64_t{0})));
}
