#pragma once

#include <optional>
#include <string>

namespace mlosbench {

/// One telemetry sample as stored (a plain struct: experiments hold 100,000s of them).
struct TelemetryRow
{
    long long trial_id = 0;
    std::string ts; ///< ISO 8601 UTC: "YYYY-MM-DDTHH:MM:SS.ffffffZ"
    std::string metric;
    std::optional<std::string> value; ///< the stored text; nullopt for NULL
};

} // namespace mlosbench
