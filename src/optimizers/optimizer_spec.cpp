#include "mlosbench/optimizers/optimizer_spec.hpp"

#include "mlosbench/util/error.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace mlosbench {

OptimizerSpec parse_optimizer_spec(std::string class_name,
                                   std::string file,
                                   Json config,
                                   const GlobalsView& globals,
                                   std::optional<std::int64_t> random_seed)
{
    OptimizerSpec opt;
    opt.class_name = std::move(class_name);
    opt.file = std::move(file);
    // The well-known optimizer keys come from the globals whatever the config has.
    for (const char* key :
         {"optimization_targets", "max_suggestions", "seed", "start_with_defaults"}) {
        if (const Parameter* p = globals.find(key)) {
            config[key] = p->value;
        }
    }
    const std::string where = opt.file.empty() ? std::string("globals") : opt.file;
    if (config.contains("optimization_targets")) {
        const Json& targets = config.at("optimization_targets");
        if (!targets.is_object() || targets.empty()) {
            throw ConfigError(where, "/config/optimization_targets",
                              "expected an object of target -> \"min\" or \"max\"");
        }
        opt.targets.clear();
        for (const auto& [name, direction] : targets.items()) {
            const std::string d = direction.is_string() ? direction.get<std::string>() : "";
            if (d != "min" && d != "max") {
                throw ConfigError(where, "/config/optimization_targets/" + name,
                                  "expected \"min\" or \"max\", got " + direction.dump());
            }
            opt.targets.emplace_back(name, d);
        }
    }
    if (config.contains("max_suggestions")) {
        const Json& v = config.at("max_suggestions");
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
            throw ConfigError(where, "/config/max_suggestions",
                              "expected an integer >= 0, got " + v.dump());
        }
        opt.max_suggestions = v.get<std::int64_t>();
    }
    if (config.contains("seed")) {
        const Json& v = config.at("seed");
        if (!v.is_number_integer()) {
            throw ConfigError(where, "/config/seed", "expected an integer, got " + v.dump());
        }
        opt.seed = v.get<std::int64_t>();
        opt.seed_from_config = true;
    } else if (random_seed) {
        opt.seed = *random_seed;
    }
    if (config.contains("start_with_defaults")) {
        opt.start_with_defaults =
            bool_setting(config.at("start_with_defaults"), where, "start_with_defaults");
    }
    if (opt.class_name == "OneShotOptimizer") {
        // OneShot runs the current values once, whatever budget the configs give: say so, as
        // a globals file asking for 20 suggestions would otherwise run 1 trial in silence.
        if (config.contains("max_suggestions") && opt.max_suggestions != 1) {
            const Parameter* p = globals.values().find("max_suggestions");
            spdlog::warn("max_suggestions {} ({}) is ignored: {} runs the current tunable values "
                         "once; pass --optimizer (e.g. optimizers/mock_opt.jsonc) to use it",
                         opt.max_suggestions, p != nullptr ? p->source : where,
                         opt.file.empty() ? "OneShotOptimizer (the default without --optimizer)"
                                          : "OneShotOptimizer");
        }
        opt.max_suggestions = 1;
    }
    opt.config = std::move(config);
    return opt;
}

} // namespace mlosbench
