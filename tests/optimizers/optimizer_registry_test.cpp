#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/optimizers/optimizer_registry.hpp"
#include "mlosbench/util/error.hpp"
#include "support/class_registry_checks.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

TEST(OptimizerRegistry, NamesAndAliasesRoundTripAndMatchTheSchema)
{
    expect_registry_matches_schema(optimizer_classes(), ConfigKind::optimizer,
                                   find_optimizer_class);
    EXPECT_EQ(
        find_optimizer_class("mlos_bench.optimizers.mock_optimizer.MockOptimizer")->short_name,
        "MockOptimizer");
    EXPECT_EQ(find_optimizer_class("mlos_bench.optimizers.TpeOptimizer"), nullptr);
}

TEST(OptimizerRegistry, EachRowBuildsItsClass)
{
    TunableGroups space;
    space.add_from_json(parse_jsonc(R"({"g": {"cost": 1, "params": {
        "n": {"type": "int", "range": [0, 3], "default": 1}}}})",
                                    "space.jsonc"),
                        "space.jsonc");
    for (const auto& cls : optimizer_classes()) {
        SCOPED_TRACE(cls.short_name);
        OptimizerSpec spec;
        spec.class_name = std::string(cls.short_name);
        spec.config = {{"tunable_values_cycle", {{{"n", 2}}}}}; // ManualOptimizer's list
        EXPECT_EQ(cls.make(spec, space)->name(), cls.short_name);
        // make_optimizer takes any spelling.
        for (const auto name : cls.mlos_names) {
            spec.class_name = std::string(name);
            EXPECT_EQ(make_optimizer(spec, space)->name(), cls.short_name);
        }
    }
    OptimizerSpec spec;
    spec.file = "opt.jsonc";
    spec.class_name = "TpeOptimiser";
    try {
        static_cast<void>(make_optimizer(spec, space));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "opt.jsonc: /class: unknown optimizer class 'TpeOptimiser' (did you "
                               "mean 'TpeOptimizer'?)");
    }
}

} // namespace
