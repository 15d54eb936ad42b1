#pragma once

#include "mlosbench/config/config_loader.hpp"
#include "mlosbench/config/parameters.hpp"
#include "mlosbench/environments/environment_spec.hpp"
#include "mlosbench/launcher/host_pool.hpp"
#include "mlosbench/launcher/launch_options.hpp"
#include "mlosbench/optimizers/optimizer_spec.hpp"
#include "mlosbench/schedulers/scheduler_spec.hpp"
#include "mlosbench/storage/storage_spec.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "mlosbench/util/secret_mask.hpp"

#include <map>
#include <string>
#include <vector>

namespace mlosbench {

/// Everything a run needs, loaded and validated from the command line and the configs:
/// one flat namespace of globals, the environment tree, the tunable space with its starting
/// values, and the optimizer, scheduler and storage settings.
struct LaunchPlan
{
    ConfigLoader loader{{}};
    std::string cli_config; ///< the --config file ("" when none)
    Parameters globals;     ///< merged and expanded, each with its source
    EnvironmentSpec root;
    TunableGroups tunables; ///< every tunable included anywhere, at its starting value
    std::map<std::string, std::string> tunable_sources; ///< tunable -> where its value came from
    OptimizerSpec optimizer;
    SchedulerSpec scheduler;
    StorageSpec storage;
    std::optional<std::int64_t> random_seed;
    std::optional<std::string> log_file;
    std::optional<std::string> log_level;
    /// Globals and --key value pairs that nothing used (a likely typo), in order.
    std::vector<std::string> unused_globals;
    /// The values of secret-named parameters (is_secret_name: globals, environments, the
    /// storage password, the process environment that `$name` expands from), masked wherever
    /// they appear in what is shown, logged or stored.
    SecretMask secrets;
    /// The `host_pool` global: trial runner i runs on host i-1 (empty: no pool).
    std::vector<PoolHost> host_pool;
};

/// Builds the plan (docs/architecture.md, "Loading"). Throws ConfigError(s) for anything
/// wrong in the command line or the configs, naming the file, JSON pointer or flag.
[[nodiscard]] LaunchPlan load_launch_plan(const LaunchOptions& options);

/// Reads only what `--create-update-storage-schema-only` needs: the storage settings.
[[nodiscard]] StorageSpec load_storage_spec(const LaunchOptions& options);

} // namespace mlosbench
