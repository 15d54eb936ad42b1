#include "storage_tables.hpp"

#include <algorithm>

namespace mlosbench::detail {

const std::vector<KnownTable>& known_tables()
{
    static const std::vector<KnownTable> tables = {
        {"experiment", {"exp_id", "description", "root_env_config", "git_repo", "git_commit"}},
        {"objectives", {"exp_id", "optimization_target", "optimization_direction"}},
        {"config", {"config_id", "config_hash"}},
        {"trial", {"exp_id", "trial_id", "config_id", "ts_start", "ts_end", "status"}},
        {"config_param", {"config_id", "param_id", "param_value"}},
        {"trial_param", {"exp_id", "trial_id", "param_id", "param_value"}},
        {"trial_status", {"exp_id", "trial_id", "ts", "status"}},
        {"trial_result", {"exp_id", "trial_id", "metric_id", "metric_value"}},
        {"trial_telemetry", {"exp_id", "trial_id", "ts", "metric_id", "metric_value"}},
        {"alembic_version", {"version_num"}},
        {"experiment_tunables", {"exp_id", "tunables"}, true},
        {"trial_output", {"exp_id", "trial_id", "stdout_tail", "stderr_tail", "reason"}, true},
        {"trial_telemetry_metadata", {"exp_id", "trial_id", "ts", "metric_id", "metadata"}, true},
        {"experiment_worker",
         {"exp_id", "worker_id", "hostname", "pid", "ts_start", "ts_heartbeat", "ts_end", "state"},
         true},
        {"trial_claim", {"exp_id", "trial_id", "worker_id"}, true},
        {"trial_metric_latest", {"exp_id", "trial_id", "metric_id", "ts"}, true},
        {"objective_position", {"exp_id", "optimization_target", "position"}, true},
        // PostgreSQL only: our schema version (SQLite keeps it in PRAGMA user_version).
        {"mlosbench_schema", {"version"}, true},
    };
    return tables;
}

const KnownTable* known_table(std::string_view name)
{
    const auto& tables = known_tables();
    const auto it = std::find_if(tables.begin(), tables.end(),
                                 [&](const KnownTable& t) { return t.name == name; });
    return it == tables.end() ? nullptr : &*it;
}

} // namespace mlosbench::detail
