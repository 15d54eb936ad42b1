#pragma once

#include "mlosbench/util/json.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// A chart placed in the report: a caption and an SVG document (as gnuplot writes it; any
/// XML prolog before `<svg` is dropped).
struct ReportFigure
{
    std::string caption;
    std::string svg;
};

/// One self-contained HTML page (inline CSS and SVG, no script, nothing fetched) about
/// `experiment` (an element of ResultsReader::experiments()): a summary (objectives, trial
/// counts by status, the best trial and its config), `figures`, the trials that failed
/// (`failures`: ResultsReader::trial() documents, each with its reason and the end of its
/// stderr), and a table of `results_df` rows (trial, config id, status, runner, start,
/// duration, config.*, result.*) with the best trial's row highlighted; the table scrolls
/// sideways inside the page when it is wider than the window. `note`, when not empty, is
/// shown where the figures go (e.g. why there are none). Every value is escaped; numbers are
/// printed by format_number(), times as the reader gives them (ISO 8601 UTC).
[[nodiscard]] std::string html_report(const Json& experiment,
                                      const Json& results_df,
                                      const std::vector<ReportFigure>& figures,
                                      const Json& failures = Json::array(),
                                      const std::string& note = {});

/// How many failed trials html_report() shows in full (the others are counted), and how
/// many of the last lines of each one's stderr.
inline constexpr std::size_t k_report_failures = 50;
inline constexpr std::size_t k_report_stderr_lines = 20;

/// `text` with &, <, >, " and ' replaced by character references.
[[nodiscard]] std::string html_escape(std::string_view text);

} // namespace mlosbench
