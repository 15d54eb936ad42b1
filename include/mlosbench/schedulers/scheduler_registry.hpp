#pragma once

#include "mlosbench/schedulers/scheduler_spec.hpp"

#include <span>
#include <string>
#include <string_view>

namespace mlosbench {

/// One scheduler class mlosbench provides: how configs name it and how its settings are read.
struct SchedulerClass
{
    std::string_view short_name;                  ///< ours: "SyncScheduler"
    std::span<const std::string_view> mlos_names; ///< mlos_bench's module paths of it
    /// Reads its settings (see parse_scheduler_spec).
    SchedulerSpec (*parse)(std::string file,
                           const Json& file_config,
                           const GlobalsView& globals,
                           const std::string& default_experiment_id,
                           bool no_teardown) = nullptr;
    std::string_view description; ///< one line, for `mlosbench list`
};

/// The scheduler classes; the names are those of the `class` enum of
/// config/schemas/schedulers/scheduler-schema.json. The first is the one a run without a
/// scheduler config uses.
[[nodiscard]] std::span<const SchedulerClass> scheduler_classes();

/// The class `cls` names (short name or an mlos_bench module path); nullptr when none.
[[nodiscard]] const SchedulerClass* find_scheduler_class(std::string_view cls);

} // namespace mlosbench
