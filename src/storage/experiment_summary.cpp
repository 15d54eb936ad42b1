#include "mlosbench/storage/experiment_summary.hpp"

namespace mlosbench {

Json ExperimentSummary::to_json() const
{
    Json exp = {{"exp_id", exp_id},
                {"description", text_or_null(description)},
                {"status", text_or_null(status)},
                {"ts_start", text_or_null(ts_start)},
                {"ts_end", text_or_null(ts_end)},
                {"objectives", Json::array()}};
    for (const auto& objective : objectives) {
        exp["objectives"].push_back({{"name", objective.name}, {"direction", objective.direction}});
    }
    Json by_status = Json::object();
    for (const auto& [name, count] : trials_by_status) {
        by_status[name] = count;
    }
    exp["trials"] = {{"total", total_trials}, {"by_status", by_status}};
    exp["best"] =
        best ? Json{{"trial_id", best->trial_id}, {"metric", best->metric}, {"score", best->score}}
             : Json(nullptr);
    return exp;
}

} // namespace mlosbench
