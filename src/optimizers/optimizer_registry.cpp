#include "mlosbench/optimizers/optimizer_registry.hpp"

#include "grid_search_optimizer.hpp"
#include "manual_optimizer.hpp"
#include "mlosbench/config/class_names.hpp"
#include "mlosbench/util/error.hpp"
#include "mock_optimizer.hpp"
#include "one_shot_optimizer.hpp"
#include "tpe_optimizer.hpp"

#include <spdlog/spdlog.h>

#include <array>

namespace mlosbench {
namespace {

TpeSettings tpe_settings(const OptimizerSpec& spec)
{
    TpeSettings settings;
    const Json& config = spec.config;
    if (config.contains("n_random_init")) {
        const Json& v = config.at("n_random_init");
        // Each random start is planned up front (a space-filling design), so it is bounded.
        constexpr std::int64_t k_max_random_init = 10'000;
        if (!v.is_number_integer() || v.get<std::int64_t>() < 1 ||
            v.get<std::int64_t>() > k_max_random_init) {
            throw ConfigError(spec.file, "/config/n_random_init",
                              "expected an integer from 1 to " + std::to_string(k_max_random_init) +
                                  ", got " + v.dump());
        }
        settings.n_random_init = v.get<std::size_t>();
    }
    return settings;
}

template <typename Opt>
std::unique_ptr<Optimizer> make(const OptimizerSpec& spec, const TunableGroups& space)
{
    return std::make_unique<Opt>(spec, space);
}

std::unique_ptr<Optimizer> make_tpe(const OptimizerSpec& spec, const TunableGroups& space)
{
    return std::make_unique<TpeOptimizer>("TpeOptimizer", spec, space, tpe_settings(spec));
}

std::unique_ptr<Optimizer> make_mlos_core(const OptimizerSpec& spec, const TunableGroups& space)
{
    // mlos_core's model-based optimizers map to ours, its random search to MockOptimizer;
    // its other keys (space adapters, SMAC's output settings) have no effect here.
    const std::string cls = "MlosCoreOptimizer";
    std::string type = "None";
    if (spec.config.contains("optimizer_type") && !spec.config.at("optimizer_type").is_null()) {
        const Json& v = spec.config.at("optimizer_type");
        type = v.is_string() ? v.get<std::string>() : v.dump();
    }
    if (type == "RANDOM") {
        return std::make_unique<MockOptimizer>(spec, space, cls);
    }
    if (type != "SMAC" && type != "FLAML" && type != "None") {
        throw ConfigError(spec.file, "/config/optimizer_type",
                          "unknown optimizer_type '" + type +
                              "': expected \"SMAC\", \"FLAML\", \"RANDOM\" or null");
    }
    spdlog::debug("MlosCoreOptimizer ({}) runs mlosbench's TpeOptimizer", type);
    return std::make_unique<TpeOptimizer>(cls, spec, space, tpe_settings(spec));
}

constexpr std::array<std::string_view, 2> k_grid_search_names = {
    "mlos_bench.optimizers.GridSearchOptimizer",
    "mlos_bench.optimizers.grid_search_optimizer.GridSearchOptimizer"};
constexpr std::array<std::string_view, 2> k_manual_names = {
    "mlos_bench.optimizers.ManualOptimizer",
    "mlos_bench.optimizers.manual_optimizer.ManualOptimizer"};
constexpr std::array<std::string_view, 2> k_mlos_core_names = {
    "mlos_bench.optimizers.MlosCoreOptimizer",
    "mlos_bench.optimizers.mlos_core_optimizer.MlosCoreOptimizer"};
constexpr std::array<std::string_view, 2> k_mock_names = {
    "mlos_bench.optimizers.MockOptimizer", "mlos_bench.optimizers.mock_optimizer.MockOptimizer"};
constexpr std::array<std::string_view, 2> k_one_shot_names = {
    "mlos_bench.optimizers.OneShotOptimizer",
    "mlos_bench.optimizers.one_shot_optimizer.OneShotOptimizer"};

constexpr std::array<OptimizerClass, 6> k_classes = {{
    {"GridSearchOptimizer", k_grid_search_names, make<GridSearchOptimizer>,
     "every point of the grid of the tunables' values, points already run skipped"},
    {"ManualOptimizer", k_manual_names, make<ManualOptimizer>,
     "the tunable values listed in its config, in order, max_cycles times"},
    {"MlosCoreOptimizer", k_mlos_core_names, make_mlos_core,
     "mlos_bench's SMAC/FLAML optimizer; runs TpeOptimizer here"},
    {"MockOptimizer", k_mock_names, make<MockOptimizer>,
     "random values from the tunables' domains (seeded)"},
    {"OneShotOptimizer", k_one_shot_names, make<OneShotOptimizer>,
     "the current tunable values, once (the default)"},
    {"TpeOptimizer", {}, make_tpe,
     "model-based (tree-structured Parzen estimator): ints, floats, log scales, categoricals"},
}};

} // namespace

std::span<const OptimizerClass> optimizer_classes() { return k_classes; }

const OptimizerClass* find_optimizer_class(std::string_view cls)
{
    return find_class_row<OptimizerClass>(k_classes, cls);
}

} // namespace mlosbench
