#include "mlosbench/schedulers/scheduler_registry.hpp"

#include <array>

namespace mlosbench {
namespace {

constexpr std::array<std::string_view, 2> k_sync_names = {
    "mlos_bench.schedulers.SyncScheduler", "mlos_bench.schedulers.sync_scheduler.SyncScheduler"};

// One scheduler runs every config: trials on `num_trial_runners` threads of this process.
const std::array<SchedulerClass, 1> k_classes = {{
    {"SyncScheduler", k_sync_names, parse_scheduler_spec,
     "asks the optimizer, runs each config's trials on num_trial_runners threads"},
}};

} // namespace

std::span<const SchedulerClass> scheduler_classes() { return k_classes; }

const SchedulerClass* find_scheduler_class(std::string_view cls)
{
    for (const SchedulerClass& c : k_classes) {
        if (c.short_name == cls) {
            return &c;
        }
        for (const auto name : c.mlos_names) {
            if (name == cls) {
                return &c;
            }
        }
    }
    return nullptr;
}

} // namespace mlosbench
