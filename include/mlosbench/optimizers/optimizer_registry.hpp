#pragma once

#include "mlosbench/optimizers/optimizer.hpp"

#include <memory>
#include <span>
#include <string_view>

namespace mlosbench {

/// One optimizer class mlosbench provides: how configs name it and how it is built.
struct OptimizerClass
{
    std::string_view short_name;                  ///< ours: "TpeOptimizer"
    std::span<const std::string_view> mlos_names; ///< mlos_bench's module paths of it
    /// Builds the optimizer over `space`, reading the class's own keys of `spec.config`;
    /// throws ConfigError for a bad value.
    std::unique_ptr<Optimizer> (*make)(const OptimizerSpec& spec,
                                       const TunableGroups& space) = nullptr;
    std::string_view description; ///< one line, for `mlosbench list`
};

/// The optimizer classes; the names are those of the `class` enum of
/// config/schemas/optimizers/optimizer-schema.json.
[[nodiscard]] std::span<const OptimizerClass> optimizer_classes();

/// The class `cls` names (short name or an mlos_bench module path); nullptr when none.
[[nodiscard]] const OptimizerClass* find_optimizer_class(std::string_view cls);

} // namespace mlosbench
