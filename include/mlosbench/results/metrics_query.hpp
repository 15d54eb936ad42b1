#pragma once

#include "mlosbench/storage/metric_sample.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/time.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// What `metrics` selects. A series is the samples of one (trial, metric, source); --last and
/// --summarize work per series, after --since, in that order.
struct MetricsQuery
{
    std::optional<std::int64_t> trial_id; ///< only this trial
    std::vector<std::string> metrics;     ///< only these metrics (empty: all)
    std::optional<Timestamp> since;       ///< only samples at or after this time
    std::optional<std::size_t> last;      ///< the last N samples of each series
    std::optional<std::size_t> summarize; ///< at most N bucket means per series (N >= 1)
    bool include_results = true;          ///< trial_result rows too
};

/// Sorts `samples` by trial, metric, source (telemetry first), time; stable for equal keys.
void sort_metric_samples(std::vector<MetricSample>& samples);

/// Applies `query`'s metric filter, since, last and summarize to sorted samples (trial filter
/// and include_results are the reader's business). Result stays sorted.
[[nodiscard]] std::vector<MetricSample> apply_metrics_query(std::vector<MetricSample> samples,
                                                            const MetricsQuery& query);

/// One series (sorted by time) averaged into at most `buckets` equal-width time buckets:
/// width = ceil(span / buckets) microseconds over the series' first..last sample (the last
/// sample falls in the last bucket); each bucket gives the mean of its numeric values, timed
/// at the bucket's start, with count = samples averaged. Empty or non-numeric buckets are
/// left out; a series spanning no time is one bucket.
[[nodiscard]] std::vector<MetricSample> summarize_series(const std::vector<MetricSample>& series,
                                                         std::size_t buckets);

/// The rows as `metrics --json` prints them: [{trial_id, ts (ISO 8601 UTC), metric, value,
/// source, metadata}], plus count (samples averaged) when `with_count` (--summarize).
[[nodiscard]] Json metric_samples_json(const std::vector<MetricSample>& samples, bool with_count);

/// A time given by a user (`--since`, `--time`, an API parameter): ISO 8601 or the storage
/// form, no zone meaning UTC. Throws ConfigError("NAME: expected an ISO 8601 time such as
/// 2025-01-02T03:04:05Z, from 1970-... to 2261-..., got 'TEXT'") when it does not parse.
[[nodiscard]] Timestamp parse_time_argument(const std::string& text, const std::string& name);

} // namespace mlosbench
