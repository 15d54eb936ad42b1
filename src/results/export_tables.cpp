#include "mlosbench/results/export_tables.hpp"

namespace mlosbench {

const char* export_format_name(ExportFormat format)
{
    return format == ExportFormat::csv ? "csv" : "json";
}

std::string
export_results(const ResultsReader& reader, const std::string& exp_id, ExportFormat format)
{
    const Json rows = reader.results_df(exp_id);
    return format == ExportFormat::csv ? results_df_csv(rows) : json_dump(rows, 2) + "\n";
}

std::string
export_telemetry(const ResultsReader& reader, const std::string& exp_id, ExportFormat format)
{
    const auto rows = reader.telemetry(exp_id);
    return format == ExportFormat::csv ? telemetry_csv(rows) : telemetry_json(rows);
}

std::vector<ZipEntry>
export_archive_entries(const ResultsReader& reader, const std::string& exp_id, ExportFormat format)
{
    const std::string extension = export_format_name(format);
    return {{"results." + extension, export_results(reader, exp_id, format)},
            {"telemetry." + extension, export_telemetry(reader, exp_id, format)}};
}

} // namespace mlosbench
