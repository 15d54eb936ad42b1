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
/// counts by status, the best trial and its config), `figures`, and a table of `results_df`
/// rows (trial, config id, status, runner, start, duration, config.*, result.*). `note`, when
/// not empty, is shown where the figures go (e.g. why there are none). Every value is escaped.
[[nodiscard]] std::string html_report(const Json& experiment,
                                      const Json& results_df,
                                      const std::vector<ReportFigure>& figures,
                                      const std::string& note = {});

/// `text` with &, <, >, " and ' replaced by character references.
[[nodiscard]] std::string html_escape(std::string_view text);

} // namespace mlosbench
