#pragma once

#include "mlosbench/config/globals_view.hpp"
#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// An optimizer as configured (docs/optimizers.md): class, common keys, and its own keys.
struct OptimizerSpec
{
    std::string class_name = "OneShotOptimizer"; ///< our short name
    std::string file;                            ///< the config file ("" = built-in default)
    /// Targets in order, each "min" or "max".
    std::vector<std::pair<std::string, std::string>> targets = {{"score", "min"}};
    std::int64_t max_suggestions = 100; ///< 0 = no limit
    std::int64_t seed = 42;
    bool seed_from_config = false; ///< false: --random-seed, when given, replaces it
    bool start_with_defaults = true;
    Json config = Json::object(); ///< the whole `config` object, for class-specific keys
};

/// The spec of an optimizer of class `class_name` (our short name) from `config`, its config
/// file's `config` object with the globals merged in (`file` "" for the built-in default):
/// the keys every optimizer has (optimization_targets, max_suggestions, seed,
/// start_with_defaults) are read from `globals` whatever the file says; `random_seed`
/// (--random-seed) is the seed when none is configured. OneShotOptimizer makes one
/// suggestion, with a warning when a budget asks for more. Throws ConfigError naming the file
/// (or "globals") and the key.
[[nodiscard]] OptimizerSpec parse_optimizer_spec(std::string class_name,
                                                 std::string file,
                                                 Json config,
                                                 const GlobalsView& globals,
                                                 std::optional<std::int64_t> random_seed);

} // namespace mlosbench
