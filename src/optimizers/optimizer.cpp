#include "mlosbench/optimizers/optimizer.hpp"

#include "grid_search_optimizer.hpp"
#include "manual_optimizer.hpp"
#include "mlosbench/config/class_names.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"
#include "mock_optimizer.hpp"
#include "one_shot_optimizer.hpp"
#include "tpe_optimizer.hpp"

#include <spdlog/spdlog.h>

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

} // namespace

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec, const TunableGroups& space)
{
    const std::string cls =
        canonical_class_name(ConfigKind::optimizer, spec.class_name).value_or(spec.class_name);
    if (cls == "OneShotOptimizer") {
        return std::make_unique<OneShotOptimizer>(spec, space);
    }
    if (cls == "MockOptimizer") {
        return std::make_unique<MockOptimizer>(spec, space);
    }
    if (cls == "ManualOptimizer") {
        return std::make_unique<ManualOptimizer>(spec, space);
    }
    if (cls == "GridSearchOptimizer") {
        return std::make_unique<GridSearchOptimizer>(spec, space);
    }
    if (cls == "TpeOptimizer") {
        return std::make_unique<TpeOptimizer>(cls, spec, space, tpe_settings(spec));
    }
    if (cls == "MlosCoreOptimizer") {
        // mlos_core's model-based optimizers map to ours, its random search to MockOptimizer;
        // its other keys (space adapters, SMAC's output settings) have no effect here.
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
    throw ConfigError(spec.file, "/class",
                      "unknown optimizer class '" + spec.class_name + "'" +
                          did_you_mean(spec.class_name, short_class_names(ConfigKind::optimizer)));
}

} // namespace mlosbench
