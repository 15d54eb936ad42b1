#include "mlosbench/storage/trial_detail.hpp"

namespace mlosbench {

Json TrialDetail::to_json() const
{
    const auto duration = trial.duration_s();
    Json t = {
        {"exp_id", exp_id},
        {"trial_id", trial.trial_id},
        {"config_id", trial.config_id},
        {"status", trial.status},
        {"trial_runner_id", trial.trial_runner_id ? Json(*trial.trial_runner_id) : Json(nullptr)},
        {"ts_start", text_or_null(trial.ts_start)},
        {"ts_end", text_or_null(trial.ts_end)},
        {"duration_s", duration ? Json(*duration) : Json(nullptr)},
        {"config", config},
        {"metadata", metadata},
        {"results", trial.results}};
    Json history = Json::array();
    for (const auto& change : status_history) {
        history.push_back({{"ts", change.ts}, {"status", change.status}});
    }
    t["status_history"] = std::move(history);
    t["stdout_tail"] = text_or_null(stdout_tail);
    t["stderr_tail"] = text_or_null(stderr_tail);
    t["reason"] = text_or_null(reason);
    return t;
}

} // namespace mlosbench
