#pragma once

#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/results/zip_archive.hpp"

#include <string>
#include <vector>

namespace mlosbench {

/// How `export` writes a table.
enum class ExportFormat {
    csv,
    json,
};

/// "csv" or "json": the extension of the file names in an archive.
[[nodiscard]] const char* export_format_name(ExportFormat format);

/// The results of `exp_id` (ResultsReader::results_df) as CSV or as an indented JSON array,
/// ending with a newline. Throws ConfigError for an unknown experiment.
[[nodiscard]] std::string
export_results(const ResultsReader& reader, const std::string& exp_id, ExportFormat format);

/// The telemetry of `exp_id` (telemetry_csv / telemetry_json). Throws ConfigError for an
/// unknown experiment.
[[nodiscard]] std::string
export_telemetry(const ResultsReader& reader, const std::string& exp_id, ExportFormat format);

/// The files of an export archive: results.EXT and telemetry.EXT, in that order.
[[nodiscard]] std::vector<ZipEntry>
export_archive_entries(const ResultsReader& reader, const std::string& exp_id, ExportFormat format);

} // namespace mlosbench
