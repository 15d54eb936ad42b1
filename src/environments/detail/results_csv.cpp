#include "environments/detail/results_csv.hpp"

#include "environments/detail/csv.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"

#include <map>

namespace mlosbench::detail {
namespace {

// A CSV value: empty is null, numbers are numbers, anything else stays text.
Json csv_value(const std::string& field)
{
    const std::string text = trim(field);
    if (text.empty()) {
        return nullptr;
    }
    return parse_scalar_text(text);
}

// The text of a CSV file without the UTF-8 byte order mark some tools write first.
std::string_view without_bom(std::string_view text)
{
    constexpr std::string_view k_bom = "\xEF\xBB\xBF";
    if (text.substr(0, k_bom.size()) == k_bom) {
        text.remove_prefix(k_bom.size());
    }
    return text;
}

} // namespace

std::optional<std::string>
parse_results_csv(std::string_view text, const std::string& file, Json& values)
{
    values = Json::object();
    const auto rows = parse_csv(without_bom(text));
    if (rows.empty()) {
        return file + " is empty";
    }
    std::vector<std::string> header;
    for (const auto& field : rows.front().fields) {
        header.push_back(trim(field));
    }
    if (rows.size() == 1) {
        return file + " has a header but no data rows";
    }
    // Where each metric was found ("line 3", "column 2"), to name both places of a duplicate.
    std::map<std::string, std::string> seen;
    std::optional<std::string> error;
    const auto add = [&](const std::string& metric, const std::string& where, const Json& value) {
        if (metric.empty()) {
            error = file + " " + where + ": empty metric name";
            return false;
        }
        const auto [it, fresh] = seen.emplace(metric, where);
        if (!fresh) {
            error = file + " " + where + ": metric '" + metric + "' again (first on " + it->second +
                    ")";
            return false;
        }
        append_new_member(values, metric, value); // new: `seen` says so
        return true;
    };
    if (header == std::vector<std::string>{"metric", "value"}) {
        // Long form: one metric per row.
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const auto& row = rows[i];
            if (row.fields.size() != 2) {
                return file + " line " + std::to_string(row.line) + ": expected 2 fields, got " +
                       std::to_string(row.fields.size());
            }
            if (!add(trim(row.fields[0]), "line " + std::to_string(row.line),
                     csv_value(row.fields[1]))) {
                return error;
            }
        }
        return std::nullopt;
    }
    // Wide form: metric names in the header, their values in the one row below.
    if (rows.size() > 2) {
        return file + " has " + std::to_string(rows.size() - 1) +
               " data rows: expected the header 'metric,value' and one row per metric, "
               "or metric names in the header and one row of values";
    }
    const auto& row = rows[1];
    if (row.fields.size() != header.size()) {
        return file + " line " + std::to_string(row.line) + ": expected " +
               std::to_string(header.size()) + " fields as in the header, got " +
               std::to_string(row.fields.size());
    }
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (!add(header[i],
                 "line " + std::to_string(rows[0].line) + " column " + std::to_string(i + 1),
                 csv_value(row.fields[i]))) {
            return error;
        }
    }
    return std::nullopt;
}

std::vector<TelemetrySample> parse_telemetry_csv(std::string_view text, const SkippedRow& skipped)
{
    std::vector<TelemetrySample> samples;
    const auto rows = parse_csv(without_bom(text));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        if (row.fields.size() != 3) {
            skipped(row.line, "expected 3 fields (timestamp,metric,value), got " +
                                  std::to_string(row.fields.size()));
            continue;
        }
        const std::string stamp = trim(row.fields[0]);
        const std::string metric = trim(row.fields[1]);
        if (i == 0 && to_lower(stamp) == "timestamp" && to_lower(metric) == "metric" &&
            to_lower(trim(row.fields[2])) == "value") {
            continue; // the optional header
        }
        const auto time = parse_timestamp(stamp, /*naive_is_local=*/true);
        if (!time) {
            skipped(row.line, "bad timestamp '" + stamp + "'");
            continue;
        }
        samples.push_back({*time, metric, csv_value(row.fields[2])});
    }
    return samples;
}

} // namespace mlosbench::detail
