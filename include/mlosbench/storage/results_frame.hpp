#pragma once

#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// One trial of a ResultsFrame.
struct ResultsFrameRow
{
    std::int64_t trial_id = 0;
    std::optional<std::string> ts_start; ///< as stored; nullopt for NULL
    std::optional<std::string> ts_end;
    std::int64_t tunable_config_id = 0;
    /// The smallest trial id of the experiment with the same config.
    std::int64_t tunable_config_trial_group_id = 0;
    std::string status;
    std::optional<std::int64_t> trial_runner_id;
    std::vector<Json> config;  ///< one value per ResultsFrame::config_names; null when unset
    std::vector<Json> results; ///< one value per ResultsFrame::result_names; null when unset
};

/// mlos_bench's results_df of one experiment: one row per trial, by id, with a column per
/// parameter and per metric any of its trials has. Values are numbers where the stored text
/// is one, else strings.
struct ResultsFrame
{
    std::vector<std::string> config_names; ///< sorted
    std::vector<std::string> result_names; ///< sorted
    std::vector<ResultsFrameRow> rows;

    /// One object per row: trial_id, ts_start, ts_end, tunable_config_id,
    /// tunable_config_trial_group_id, status, trial_runner_id, then "config.NAME" and
    /// "result.NAME" in the order of the names (every row has the same keys).
    [[nodiscard]] Json to_json() const;
};

} // namespace mlosbench
