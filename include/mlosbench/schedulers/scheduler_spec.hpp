#pragma once

#include "mlosbench/config/globals_view.hpp"
#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <string>

namespace mlosbench {

/// Most trial runners (threads, each with its own environments) a run may have.
inline constexpr std::int64_t k_max_trial_runners = 1024;
/// Most trials a run may make of one config (trial_config_repeat_count).
inline constexpr std::int64_t k_max_trial_config_repeat_count = 10'000;

/// Scheduler settings after globals and flags are applied.
struct SchedulerSpec
{
    std::string file; ///< the config file ("" = built-in SyncScheduler)
    std::string experiment_id;
    std::int64_t trial_id = 1;  ///< first trial id of a new experiment
    std::int64_t config_id = -1; ///< > 0: re-run this stored config first
    bool teardown = true;
    std::int64_t max_trials = -1; ///< -1 or 0: no limit
    std::int64_t trial_config_repeat_count = 1;
    int num_trial_runners = 1;
};

/// The settings of the SyncScheduler from `file_config`, its config file's `config` object
/// (`file` "" when there is none), with the globals replacing the keys it has and
/// experiment_id, trial_id and num_trial_runners read from the globals;
/// `default_experiment_id` when none is given, `no_teardown` (--no-teardown) overriding the
/// config. Throws ConfigError naming the file, or the global's source, and the key.
[[nodiscard]] SchedulerSpec parse_scheduler_spec(std::string file,
                                                 const Json& file_config,
                                                 const GlobalsView& globals,
                                                 const std::string& default_experiment_id,
                                                 bool no_teardown);

} // namespace mlosbench
