#pragma once

#include "mlosbench/config/telemetry.hpp"
#include "mlosbench/util/json.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench::detail {

/// Reads the text of a results file (docs/trials.md, "The results CSV"): the long form (header `metric,value`, one
/// metric per row) or the wide form (metric names in the header, one row of values), a UTF-8
/// byte order mark skipped. Sets `values` to an object of the metrics (empty is null, numbers
/// are numbers) and returns nullopt, or returns why the file gives no results, each reason
/// starting with `file` ("results file 'x' has a header but no data rows").
[[nodiscard]] std::optional<std::string>
parse_results_csv(std::string_view text, const std::string& file, Json& values);

/// Called for a telemetry row that is skipped: its line (1-based) and why.
using SkippedRow = std::function<void(std::size_t line, const std::string& why)>;

/// Reads the text of a telemetry file: rows `timestamp,metric,value` with an optional header
/// of those names; timestamps without an offset are local time. Bad rows go to `skipped`.
[[nodiscard]] std::vector<TelemetrySample> parse_telemetry_csv(std::string_view text,
                                                               const SkippedRow& skipped);

} // namespace mlosbench::detail
