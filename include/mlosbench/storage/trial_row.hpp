#pragma once

#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace mlosbench {

/// One trial as `show EXP` lists it. Texts are as stored (times in the storage's form);
/// nullopt for NULL.
struct TrialRow
{
    std::int64_t trial_id = 0;
    std::int64_t config_id = 0;
    std::string status; ///< the stored status name ("SUCCEEDED")
    std::optional<std::int64_t> trial_runner_id;
    std::optional<std::string> ts_start;
    std::optional<std::string> ts_end;
    /// metric -> value (numbers as numbers, other text as strings), by metric name.
    Json results = Json::object();

    /// Seconds from ts_start to ts_end; nullopt while the trial has not ended.
    [[nodiscard]] std::optional<double> duration_s() const;

    /// {trial_id, config_id, status, trial_runner_id, ts_start, ts_end, duration_s, results}.
    [[nodiscard]] Json to_json() const;
};

} // namespace mlosbench
