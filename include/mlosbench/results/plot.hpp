#pragma once

#include "mlosbench/util/json.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// What the charts of one experiment show, taken from its results_df rows: the score of each
/// trial (one metric) and, for successful trials, each tunable's value against that score.
struct PlotData
{
    struct Trial
    {
        long long trial_id = 0;
        std::string status;
        /// The metric's value: set for a SUCCEEDED trial that has a numeric value only.
        std::optional<double> score;
    };
    /// One tunable (a `config.*` column). Categorical when a value is not a number; then x
    /// is the index of the value in `categories` (sorted).
    struct Tunable
    {
        std::string name;
        bool categorical = false;
        std::vector<std::string> categories;
        /// Whole numbers only (an `int` tunable, or every value whole): ticks at whole numbers.
        bool integer = false;
        /// Drawn on a log axis: a `log` tunable whose range is above 0.
        bool log = false;
        /// The range its definition gives (numeric tunables whose definition is stored).
        std::optional<std::pair<double, double>> range;
        /// (x, score) of every trial with a score and a value of this tunable that the axis
        /// can show.
        std::vector<std::pair<double, double>> points;
        /// Scored values a log axis cannot show (at or below 0: special values).
        std::size_t not_drawn = 0;
    };

    std::string exp_id;
    std::string metric;
    bool maximize = false; ///< the metric's direction: best-so-far is a running max if true
    std::vector<Trial> trials;
    std::vector<Tunable> tunables;

    /// Trials that ended without a score (FAILED, TIMED_OUT, CANCELED).
    [[nodiscard]] std::size_t failed_count() const;
    /// Trials with a score.
    [[nodiscard]] std::size_t scored_count() const;
};

/// Builds PlotData for `experiment` (an element of ResultsReader::experiments()) from its
/// results_df() rows and its tunable definitions by name (ResultsReader::tunables(); empty
/// when unknown: then a tunable is an integer when all its values are, and linear). `metric`
/// empty: the first objective. Throws ConfigError (exit 2) for a metric the experiment has
/// never recorded, or no metric to choose; Error when no successful trial has a numeric
/// value of the metric.
[[nodiscard]] PlotData make_plot_data(const Json& experiment,
                                      const Json& results_df,
                                      const std::string& metric,
                                      const Json& tunables = Json::object());

/// One axis as the charts draw it: its range, whether it is logarithmic, and its ticks
/// (position and label, labels printed by format_number()), chosen so that the labels fit
/// side by side in `width_px` without overlapping.
struct PlotAxis
{
    double low = 0;
    double high = 1;
    bool log = false;
    /// Labels drawn rotated: categories that do not fit side by side.
    bool rotate = false;
    std::vector<std::pair<double, std::string>> ticks;
};

/// The x axis of `tunable`'s panel, `width_px` wide: the definition's range (widened to the
/// values drawn), ticks at whole numbers for integers, decades (1-2-5 where there is room)
/// on a log axis; categories at 0..n-1, shortened to fit.
[[nodiscard]] PlotAxis tunable_axis(const PlotData::Tunable& tunable, double width_px);

/// The trial axis of the score chart, `width_px` wide: the trial ids, ticks at whole numbers.
[[nodiscard]] PlotAxis trial_axis(const PlotData& data, double width_px);

/// Which charts one output file holds: (a) score per trial with best-so-far, (b) one small
/// panel per tunable with its value against the score.
enum class PlotCharts
{
    all,
    score,
    tunables,
};

/// The gnuplot script drawing `charts` of `data` to `output_name` (svg or png from its
/// extension), reading data files named "score.dat", "failed.dat", "tunable_<i>.dat" that
/// write_plot_data_files() writes. Pure: no files touched.
[[nodiscard]] std::string
gnuplot_script(const PlotData& data, PlotCharts charts, const std::string& output_name);

/// Writes the data files gnuplot_script() reads into `dir`.
void write_plot_data_files(const PlotData& data, const std::filesystem::path& dir);

/// Number of panels `charts` of `data` draw (the score chart is one, each tunable one).
[[nodiscard]] std::size_t plot_panel_count(const PlotData& data, PlotCharts charts);

/// Draws `charts` of `data` into `output` (extension .svg or .png) by running gnuplot (found
/// on PATH) on a generated script in a temporary directory, with a time limit of
/// `timeout_seconds`. Throws ConfigError for another extension; Error when gnuplot is missing,
/// fails or times out (with its stderr), or `output` cannot be written.
void render_plot(const PlotData& data,
                 PlotCharts charts,
                 const std::filesystem::path& output,
                 double timeout_seconds = 120);

/// render_plot() to an SVG document returned as text (for pages that inline it).
[[nodiscard]] std::string
render_svg(const PlotData& data, PlotCharts charts, double timeout_seconds = 120);

} // namespace mlosbench
