#pragma once

#include "mlosbench/schedulers/scheduler_spec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// The command line of `mlosbench run` / `validate`, parsed (apps/ fills it; no CLI11 here).
struct LaunchOptions
{
    std::optional<std::string> config; ///< the CLI config file (--config)
    std::optional<std::string> environment;
    std::optional<std::string> optimizer;
    std::optional<std::string> scheduler;
    std::optional<std::string> storage;
    std::vector<std::string> config_paths;
    std::vector<std::string> services;
    std::vector<std::string> globals;
    std::vector<std::string> tunable_values;
    std::optional<std::int64_t> trial_config_repeat_count;
    std::optional<std::int64_t> num_trial_runners;
    bool random_init = false;
    std::optional<std::int64_t> random_seed;
    std::optional<std::string> experiment_id;
    bool no_teardown = false;
    std::optional<std::string> log_file;
    std::optional<std::string> log_level;
    bool create_update_storage_schema_only = false;
    /// Unknown `--key value` / `--key=value` pairs, in order, keys as typed (without "--").
    std::vector<std::pair<std::string, std::string>> extra_args;

    // Our additions.
    bool force = false;     ///< resume even when tunables or objectives changed
    bool keep_temp = false; ///< keep trial temp dirs
    bool json = false;      ///< final summary as JSON
    double max_failed_share = 0.2;
    std::int64_t max_consecutive_failures = 5;
    bool join = false;            ///< --join: work beside the experiment's other workers
    std::int64_t total_trials = 0; ///< --total-trials: the experiment's bound; 0 = none
    double lease_timeout = 60;    ///< --lease-timeout, seconds
    std::optional<std::string> api; ///< --api: serve's URL, for the RemoteEnv trials
};

/// Splits unknown arguments into `--key value` / `--key=value` pairs (globals, as in mlos_bench).
/// Throws ConfigError for a key without value or a value without key.
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
parse_extra_args(const std::vector<std::string>& args);

} // namespace mlosbench
