#include "mlosbench/optimizers/optimizer.hpp"

#include "mlosbench/optimizers/optimizer_registry.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <algorithm>

namespace mlosbench {

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec, const TunableGroups& space)
{
    if (const OptimizerClass* cls = find_optimizer_class(spec.class_name)) {
        return cls->make(spec, space);
    }
    std::vector<std::string> names;
    for (const auto& cls : optimizer_classes()) {
        names.emplace_back(cls.short_name);
    }
    std::sort(names.begin(), names.end());
    throw ConfigError(spec.file, "/class",
                      "unknown optimizer class '" + spec.class_name + "'" +
                          did_you_mean(spec.class_name, names));
}

} // namespace mlosbench
