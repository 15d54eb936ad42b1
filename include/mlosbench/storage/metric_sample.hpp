#pragma once

#include "mlosbench/util/json.hpp"
#include "mlosbench/util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// Where a metric sample comes from.
enum class MetricSource {
    telemetry, ///< a trial_telemetry row (read_telemetry_file, post-metric)
    result,    ///< a trial_result row, timed at the trial's end (ts_end)
};

/// "telemetry" or "result".
[[nodiscard]] const char* metric_source_name(MetricSource source);

/// One row of `mlosbench metrics`: a sample, or the mean of a bucket of samples (summarize).
struct MetricSample
{
    std::int64_t trial_id = 0;
    Timestamp ts{};
    std::string metric;
    Json value; ///< a number, or the stored text when it is not one; null for NULL
    MetricSource source = MetricSource::telemetry;
    std::optional<std::string> metadata; ///< post-metric --metadata; never on summaries
    std::int64_t count = 1;              ///< samples averaged into this row
};

/// Which stored samples StorageReader::metric_samples reads.
struct MetricSampleFilter
{
    std::optional<std::int64_t> trial_id; ///< only this trial
    std::vector<std::string> metrics;     ///< only these metrics (empty: all)
    bool include_results = true;          ///< trial_result rows too, timed at the trial's end
};

} // namespace mlosbench
