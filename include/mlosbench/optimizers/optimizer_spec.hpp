#pragma once

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

} // namespace mlosbench
