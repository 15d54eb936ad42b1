#pragma once

#include "mlosbench/storage/trial_row.hpp"
#include "mlosbench/util/json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// One row of a trial's status history, as stored.
struct StatusChange
{
    std::string ts;
    std::string status;
};

/// One trial in full, as `show EXP --trial N` prints it.
struct TrialDetail
{
    std::string exp_id;
    TrialRow trial;               ///< its row, with its results
    Json config = Json::object(); ///< param -> value (numbers as numbers), by name
    /// trial_param rows, by name: values with secret names (is_secret_name) are "******".
    Json metadata = Json::object();
    std::vector<StatusChange> status_history; ///< by time
    /// The last run's output tails and failure reason; nullopt when none was kept (always
    /// for a file written by mlos_bench).
    std::optional<std::string> stdout_tail;
    std::optional<std::string> stderr_tail;
    std::optional<std::string> reason;

    /// The fields of TrialRow::to_json() after exp_id, with config and metadata before
    /// results, then status_history ([{ts, status}]), stdout_tail, stderr_tail, reason.
    [[nodiscard]] Json to_json() const;
};

} // namespace mlosbench
