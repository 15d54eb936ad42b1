#include "mlosbench/storage/results_frame.hpp"

namespace mlosbench {

Json ResultsFrame::to_json() const
{
    // The "config." and "result." names are distinct from each other and from the fixed
    // columns, so they are appended without a lookup.
    Json out = Json::array();
    for (const auto& row : rows) {
        Json object = {
            {"trial_id", row.trial_id},
            {"ts_start", text_or_null(row.ts_start)},
            {"ts_end", text_or_null(row.ts_end)},
            {"tunable_config_id", row.tunable_config_id},
            {"tunable_config_trial_group_id", row.tunable_config_trial_group_id},
            {"status", row.status},
            {"trial_runner_id", row.trial_runner_id ? Json(*row.trial_runner_id) : Json(nullptr)}};
        for (std::size_t i = 0; i < config_names.size(); ++i) {
            append_new_member(object, "config." + config_names[i],
                              i < row.config.size() ? row.config[i] : Json(nullptr));
        }
        for (std::size_t i = 0; i < result_names.size(); ++i) {
            append_new_member(object, "result." + result_names[i],
                              i < row.results.size() ? row.results[i] : Json(nullptr));
        }
        out.push_back(std::move(object));
    }
    return out;
}

} // namespace mlosbench
