#include "mlosbench/storage/metric_sample.hpp"

namespace mlosbench {

const char* metric_source_name(MetricSource source)
{
    return source == MetricSource::result ? "result" : "telemetry";
}

} // namespace mlosbench
