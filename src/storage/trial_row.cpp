#include "mlosbench/storage/trial_row.hpp"

#include "storage/detail/stored_values.hpp"

namespace mlosbench {

std::optional<double> TrialRow::duration_s() const
{
    return detail::stored_duration_seconds(ts_start, ts_end);
}

Json TrialRow::to_json() const
{
    const auto duration = duration_s();
    return {{"trial_id", trial_id},
            {"config_id", config_id},
            {"status", status},
            {"trial_runner_id", trial_runner_id ? Json(*trial_runner_id) : Json(nullptr)},
            {"ts_start", text_or_null(ts_start)},
            {"ts_end", text_or_null(ts_end)},
            {"duration_s", duration ? Json(*duration) : Json(nullptr)},
            {"results", results}};
}

} // namespace mlosbench
