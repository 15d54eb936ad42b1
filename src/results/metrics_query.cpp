#include "mlosbench/results/metrics_query.hpp"

#include "mlosbench/util/error.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>

namespace mlosbench {
namespace {

using Micros = std::int64_t;

Micros to_micros(Timestamp time)
{
    return std::chrono::floor<std::chrono::microseconds>(time.time_since_epoch()).count();
}

Timestamp from_micros(Micros micros)
{
    return Timestamp(
        std::chrono::duration_cast<Timestamp::duration>(std::chrono::microseconds(micros)));
}

bool same_series(const MetricSample& a, const MetricSample& b)
{
    return a.trial_id == b.trial_id && a.metric == b.metric && a.source == b.source;
}

} // namespace

void sort_metric_samples(std::vector<MetricSample>& samples)
{
    std::stable_sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
        return std::tie(a.trial_id, a.metric, a.source, a.ts) <
               std::tie(b.trial_id, b.metric, b.source, b.ts);
    });
}

std::vector<MetricSample> summarize_series(const std::vector<MetricSample>& series,
                                           std::size_t buckets)
{
    std::vector<MetricSample> out;
    if (series.empty() || buckets == 0) {
        return out;
    }
    const Micros first = to_micros(series.front().ts);
    const Micros span = to_micros(series.back().ts) - first;
    const auto n = static_cast<Micros>(buckets);
    // Integer width, rounded up, so every bucket boundary is an exact microsecond.
    const Micros width = span <= 0 ? 0 : (span + n - 1) / n;
    std::vector<double> sums(buckets, 0.0);
    std::vector<std::int64_t> counts(buckets, 0);
    for (const auto& sample : series) {
        if (!sample.value.is_number()) {
            continue;
        }
        const Micros offset = to_micros(sample.ts) - first;
        const Micros index = width == 0 ? 0 : std::min(offset / width, n - 1);
        sums[static_cast<std::size_t>(index)] += sample.value.get<double>();
        ++counts[static_cast<std::size_t>(index)];
    }
    for (std::size_t i = 0; i < buckets; ++i) {
        if (counts[i] == 0) {
            continue;
        }
        MetricSample bucket;
        bucket.trial_id = series.front().trial_id;
        bucket.metric = series.front().metric;
        bucket.source = series.front().source;
        bucket.ts = from_micros(first + static_cast<Micros>(i) * width);
        bucket.value = sums[i] / static_cast<double>(counts[i]);
        bucket.count = counts[i];
        out.push_back(std::move(bucket));
    }
    return out;
}

std::vector<MetricSample> apply_metrics_query(std::vector<MetricSample> samples,
                                              const MetricsQuery& query)
{
    const std::set<std::string> wanted(query.metrics.begin(), query.metrics.end());
    std::vector<MetricSample> kept;
    kept.reserve(samples.size());
    for (auto& sample : samples) {
        if (!wanted.empty() && !wanted.contains(sample.metric)) {
            continue;
        }
        if (query.since && sample.ts < *query.since) {
            continue;
        }
        kept.push_back(std::move(sample));
    }
    if (!query.last && !query.summarize) {
        return kept;
    }
    std::vector<MetricSample> out;
    auto begin = kept.begin();
    while (begin != kept.end()) {
        auto end = std::find_if(begin, kept.end(),
                                [&](const MetricSample& s) { return !same_series(*begin, s); });
        if (query.last && static_cast<std::size_t>(end - begin) > *query.last) {
            begin = end - static_cast<std::ptrdiff_t>(*query.last);
        }
        if (query.summarize) {
            const std::vector<MetricSample> series(std::make_move_iterator(begin),
                                                   std::make_move_iterator(end));
            for (auto& bucket : summarize_series(series, *query.summarize)) {
                out.push_back(std::move(bucket));
            }
        } else {
            out.insert(out.end(), std::make_move_iterator(begin), std::make_move_iterator(end));
        }
        begin = end;
    }
    return out;
}

Json metric_samples_json(const std::vector<MetricSample>& samples, bool with_count)
{
    Json rows = Json::array();
    for (const auto& s : samples) {
        Json row = {{"trial_id", s.trial_id},
                    {"ts", format_iso8601(s.ts)},
                    {"metric", s.metric},
                    {"value", s.value},
                    {"source", metric_source_name(s.source)},
                    {"metadata", s.metadata ? Json(*s.metadata) : Json(nullptr)}};
        if (with_count) {
            row["count"] = s.count;
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

Timestamp parse_time_argument(const std::string& text, const std::string& name)
{
    const auto parsed = parse_timestamp(text);
    if (!parsed) {
        throw ConfigError(name + ": expected an ISO 8601 time such as 2025-01-02T03:04:05Z, from " +
                          k_timestamp_range + ", got '" + text + "'");
    }
    return *parsed;
}

} // namespace mlosbench
