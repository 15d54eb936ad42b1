#include "mlosbench/results/plot.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/paths.hpp"
#include "mlosbench/util/process.hpp"
#include "mlosbench/util/temporary_directory.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

namespace mlosbench {
namespace fs = std::filesystem;

namespace {

constexpr int k_width = 960;
constexpr int k_score_height = 380;
constexpr int k_panel_height = 280;
constexpr std::size_t k_max_columns = 3;
// What gnuplot's 'sans,10' needs, in pixels: a character of a tick label (a generous
// average, so labels measured with it never touch), and the margins around a panel's plot
// area (y tick labels and title on the left, a little on the right).
constexpr double k_char_px = 7;
constexpr double k_label_gap_chars = 1.5;
constexpr double k_line_px = 16; // a line of text, for labels drawn upright
constexpr double k_plot_margins_px = 90;
// Category labels that do not fit side by side are drawn upright, cut to this many characters.
constexpr std::size_t k_max_category_chars = 12;
// gnuplot cannot scale an axis that reaches the ends of a double (near 1.8e308): values beyond
// this are drawn at it, and the chart says how many.
constexpr double k_plot_limit = 1e307;

double plotted(double v) { return std::clamp(v, -k_plot_limit, k_plot_limit); }

// A gnuplot single-quoted string: no escapes inside but '' for a quote; one line.
std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') {
            out += "''";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out + "'";
}

std::string number(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

// Code points of a UTF-8 text: what a label's width goes by.
std::size_t chars_of(const std::string& text)
{
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

// `text` cut to `limit` code points, the last being an ellipsis when it was longer.
std::string shortened(const std::string& text, std::size_t limit)
{
    if (chars_of(text) <= limit || limit == 0) {
        return text;
    }
    std::string out;
    std::size_t chars = 0;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U && ++chars == limit) {
            break;
        }
        out += c;
    }
    return out + "\u2026";
}

// Whether `ticks` placed on a `width_px` wide axis from `low` to `high` leave room between
// every two neighbouring labels.
bool ticks_fit(const std::vector<std::pair<double, std::string>>& ticks,
               const PlotAxis& axis,
               double width_px)
{
    const auto px = [&](double v) {
        if (axis.log) {
            return width_px * (std::log(v) - std::log(axis.low)) /
                   (std::log(axis.high) - std::log(axis.low));
        }
        return width_px * (v - axis.low) / (axis.high - axis.low);
    };
    for (std::size_t i = 1; i < ticks.size(); ++i) {
        const double room = px(ticks[i].first) - px(ticks[i - 1].first);
        const double needed =
            (static_cast<double>(chars_of(ticks[i].second) + chars_of(ticks[i - 1].second)) / 2 +
             k_label_gap_chars) *
            k_char_px;
        if (room < needed) {
            return false;
        }
    }
    return true;
}

// m * 10^e exactly as the decimal reads (0.3, not 0.30000000000000004).
double decimal(long long m, int e)
{
    return e >= 0 ? static_cast<double>(m) * std::pow(10.0, e)
                  : static_cast<double>(m) / std::pow(10.0, -e);
}

// Linear ticks: the finest step of 1, 2 or 5 times a power of ten (whole for integers) whose
// labels fit.
std::vector<std::pair<double, std::string>>
linear_ticks(const PlotAxis& axis, bool integer, double width_px)
{
    const double span = axis.high - axis.low;
    int e = static_cast<int>(std::floor(std::log10(span / 50)));
    if (integer) {
        e = std::max(e, 0);
    }
    std::vector<std::pair<double, std::string>> best;
    for (; e < 310; ++e) {
        for (const long long m : {1LL, 2LL, 5LL}) {
            const double step = decimal(m, e);
            std::vector<std::pair<double, std::string>> ticks;
            const auto first = static_cast<long long>(std::ceil(axis.low / step - 1e-9));
            for (long long k = first; decimal(k * m, e) <= axis.high * (1 + 1e-12) + 1e-300; ++k) {
                const double v = decimal(k * m, e);
                ticks.emplace_back(v, format_number(v));
                if (ticks.size() > 200) {
                    break;
                }
            }
            if (ticks.size() <= 200 && ticks_fit(ticks, axis, width_px)) {
                return ticks;
            }
            best = std::move(ticks);
        }
    }
    return best;
}

// Log ticks: 1-2-5 in each decade, else each decade, else every n-th decade, whichever is
// the finest that fits; within less than a decade, linear ones.
std::vector<std::pair<double, std::string>>
log_ticks(const PlotAxis& axis, bool integer, double width_px)
{
    const int first = static_cast<int>(std::floor(std::log10(axis.low)));
    const int last = static_cast<int>(std::ceil(std::log10(axis.high)));
    const auto in_range = [&](double v) {
        return v >= axis.low * (1 - 1e-12) && v <= axis.high * (1 + 1e-12) && (!integer || v >= 1);
    };
    std::vector<std::vector<std::pair<double, std::string>>> candidates;
    std::vector<std::pair<double, std::string>> ticks;
    for (int e = first; e <= last; ++e) {
        for (const long long m : {1LL, 2LL, 5LL}) {
            if (in_range(decimal(m, e))) {
                ticks.emplace_back(decimal(m, e), format_number(decimal(m, e)));
            }
        }
    }
    candidates.push_back(std::move(ticks));
    for (int every = 1; every <= 64; every *= 2) {
        ticks.clear();
        for (int e = first; e <= last; ++e) {
            if (e % every == 0 && in_range(decimal(1, e))) {
                ticks.emplace_back(decimal(1, e), format_number(decimal(1, e)));
            }
        }
        candidates.push_back(ticks);
    }
    for (const auto& c : candidates) {
        if (c.size() >= 2 && ticks_fit(c, axis, width_px)) {
            return c;
        }
    }
    // Less than a decade (or labels too long even one per decade): linear steps.
    return linear_ticks(axis, integer, width_px);
}

std::string tics_command(const PlotAxis& axis)
{
    std::string s = "set xtics (";
    for (std::size_t i = 0; i < axis.ticks.size(); ++i) {
        s += (i == 0 ? "" : ", ") + quoted(axis.ticks[i].second) + " " +
             format_number(axis.ticks[i].first);
    }
    s += ")";
    s += axis.rotate ? " rotate by 90 right nomirror\n" : " norotate autojustify nomirror\n";
    s += "unset mxtics\n";
    s += std::string(axis.log ? "set logscale x 10\n" : "unset logscale x\n");
    s += "set xrange [" + number(axis.low) + ":" + number(axis.high) + "]\n";
    return s;
}

std::string direction_name(bool maximize) { return maximize ? "max" : "min"; }

bool is_failed(const std::string& status)
{
    return status == "FAILED" || status == "TIMED_OUT" || status == "CANCELED";
}

std::string category_label(const Json& value)
{
    return value.is_string() ? value.get<std::string>() : value.dump();
}

std::size_t columns_for(std::size_t panels) { return std::min(panels, k_max_columns); }

std::size_t rows_for(std::size_t panels)
{
    const std::size_t columns = columns_for(panels);
    return columns == 0 ? 0 : (panels + columns - 1) / columns;
}

bool has_tunable_panels(const PlotData& data, PlotCharts charts)
{
    return charts != PlotCharts::score && !data.tunables.empty();
}

std::optional<fs::path> find_on_path(const std::string& program)
{
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    std::string::size_type start = 0;
    while (start <= dirs.size()) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        const fs::path dir = dirs.substr(start, end - start);
        const fs::path candidate = (dir.empty() ? fs::path(".") : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) {
            return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

void write_text(const fs::path& path, const std::string& text)
{
    std::ofstream file(path, std::ios::binary);
    file << text;
    file.close();
    if (!file) {
        throw Error("cannot write " + path.string());
    }
}

// Plot-area widths: the score chart spans the image, a tunable panel its column.
double score_plot_width() { return k_width - k_plot_margins_px; }

double panel_plot_width(std::size_t columns)
{
    return static_cast<double>(k_width) / static_cast<double>(std::max<std::size_t>(columns, 1)) -
           k_plot_margins_px;
}

std::string score_chart(const PlotData& data, const std::string& failed_y)
{
    const std::string dir = direction_name(data.maximize);
    std::string s;
    s += "set title " +
         quoted(data.exp_id + ": " + data.metric + " per trial (" + dir + " is better)") + "\n";
    s += "set xlabel 'trial'\nset ylabel " + quoted(data.metric) + "\n";
    s += "set key below horizontal\nset grid\n";
    s += tics_command(trial_axis(data, score_plot_width()));
    s += "plot 'score.dat' using 1:2 with points pt 7 ps 0.6 lc rgb '#1f77b4' title " +
         quoted(data.metric) + ", \\\n";
    s += "     'score.dat' using 1:3 with steps lw 2 lc rgb '#2ca02c' title " +
         quoted("best so far (" + dir + ")");
    const std::size_t failed = data.failed_count();
    const auto clamped = std::count_if(data.trials.begin(), data.trials.end(), [](const auto& t) {
        return t.score && std::abs(*t.score) > k_plot_limit;
    });
    if (clamped > 0) {
        s += ", \\\n     NaN with points pt 7 ps 0 lc rgb '#1f77b4' title " +
             quoted(std::to_string(clamped) + " beyond +/-1e307, drawn at the edge");
    }
    if (failed > 0) {
        s += ", \\\n     'failed.dat' using 1:(" + failed_y +
             ") with points pt 2 ps 0.9 lc rgb '#d62728' title " +
             quoted("failed, no score (" + std::to_string(failed) + ")");
    }
    return s + "\n";
}

std::string tunable_chart(const PlotData& data, std::size_t index, std::size_t columns)
{
    const PlotData::Tunable& t = data.tunables[index];
    const double width = panel_plot_width(columns);
    const PlotAxis axis = tunable_axis(t, width);
    std::string s;
    s += "unset title\n";
    std::string note;
    if (t.log) {
        note = " (log scale";
        if (t.not_drawn > 0) {
            note += "; " + std::to_string(t.not_drawn) + " at or below 0 not drawn";
        }
        note += ")";
    }
    const std::string label = t.name + note;
    s += "set xlabel " + quoted(label) + "\nset ylabel " + quoted(data.metric) + "\n";
    s += "unset key\nset grid\n";
    s += tics_command(axis);
    s += "plot 'tunable_" + std::to_string(index) +
         ".dat' using 1:2 with points pt 7 ps 0.5 lc rgb '#1f77b4' notitle\n";
    return s;
}

} // namespace

std::size_t PlotData::failed_count() const
{
    return static_cast<std::size_t>(std::count_if(
        trials.begin(), trials.end(), [](const Trial& t) { return is_failed(t.status); }));
}

std::size_t PlotData::scored_count() const
{
    return static_cast<std::size_t>(std::count_if(
        trials.begin(), trials.end(), [](const Trial& t) { return t.score.has_value(); }));
}

PlotData make_plot_data(const Json& experiment,
                        const Json& results_df,
                        const std::string& metric,
                        const Json& tunables)
{
    PlotData data;
    data.exp_id = experiment.at("exp_id").get<std::string>();
    data.metric = metric;
    const Json& objectives = experiment.at("objectives");
    if (data.metric.empty()) {
        if (objectives.empty()) {
            throw ConfigError("", "--metric",
                              "experiment '" + data.exp_id +
                                  "' has no objective: name the metric to plot with --metric");
        }
        data.metric = objectives[0].at("name").get<std::string>();
    }
    bool is_objective = false;
    for (const auto& objective : objectives) {
        if (objective.at("name") == data.metric) {
            data.maximize = objective.at("direction") == "max";
            is_objective = true;
        }
    }
    // An objective is known even before any trial recorded it; another metric must have a
    // result column.
    const std::string column = "result." + data.metric;
    if (!is_objective && (results_df.empty() || !results_df[0].contains(column))) {
        std::string known;
        for (const auto& [name, unused] : results_df[0].items()) {
            if (name.rfind("result.", 0) == 0) {
                known += (known.empty() ? "" : ", ") + name.substr(7);
            }
        }
        throw ConfigError("", "--metric",
                          "unknown metric '" + data.metric + "' in experiment '" + data.exp_id +
                              "' (its metrics: " + (known.empty() ? "none" : known) + ")");
    }

    // Tunable values of the scored trials, by column, to type them and lay out categories.
    std::vector<std::string> names;
    if (!results_df.empty()) {
        for (const auto& [name, unused] : results_df[0].items()) {
            if (name.rfind("config.", 0) == 0) {
                names.push_back(name);
            }
        }
    }
    for (const auto& row : results_df) {
        PlotData::Trial trial;
        trial.trial_id = row.at("trial_id").get<long long>();
        trial.status = row.at("status").get<std::string>();
        const Json& value = row.contains(column) ? row[column] : Json(nullptr);
        if (trial.status == "SUCCEEDED" && value.is_number() &&
            std::isfinite(value.get<double>())) {
            trial.score = value.get<double>();
        }
        data.trials.push_back(std::move(trial));
    }
    if (data.scored_count() == 0) {
        throw Error("experiment '" + data.exp_id + "' has no successful trial with a numeric '" +
                    data.metric + "' to plot");
    }
    for (const auto& name : names) {
        PlotData::Tunable tunable;
        tunable.name = name.substr(7);
        const Json definition = tunables.is_object() && tunables.contains(tunable.name)
                                    ? tunables[tunable.name]
                                    : Json::object();
        std::set<std::string> categories;
        bool all_whole = true;
        for (std::size_t i = 0; i < results_df.size(); ++i) {
            const Json& value = results_df[i][name];
            if (!data.trials[i].score || value.is_null()) {
                continue;
            }
            if (!value.is_number()) {
                tunable.categorical = true;
            } else if (!value.is_number_integer()) {
                all_whole = false;
            }
            categories.insert(category_label(value));
        }
        const std::string type = definition.value("type", std::string());
        if (type == "categorical") {
            tunable.categorical = true;
        }
        if (tunable.categorical) {
            tunable.categories.assign(categories.begin(), categories.end());
        } else {
            tunable.integer = type == "int" || (type.empty() && all_whole);
            const Json range = definition.value("range", Json());
            if (range.is_array() && range.size() == 2 && range[0].is_number() &&
                range[1].is_number()) {
                tunable.range = {range[0].get<double>(), range[1].get<double>()};
                tunable.log = definition.value("log", false) && tunable.range->first > 0;
            }
        }
        for (std::size_t i = 0; i < results_df.size(); ++i) {
            const Json& value = results_df[i][name];
            if (!data.trials[i].score || value.is_null()) {
                continue;
            }
            double x = 0;
            if (tunable.categorical) {
                const auto it = std::lower_bound(tunable.categories.begin(),
                                                 tunable.categories.end(), category_label(value));
                x = static_cast<double>(it - tunable.categories.begin());
            } else {
                x = value.get<double>();
                if (tunable.log && !(x > 0)) {
                    ++tunable.not_drawn;
                    continue;
                }
            }
            tunable.points.emplace_back(x, *data.trials[i].score);
        }
        if (!tunable.points.empty()) {
            data.tunables.push_back(std::move(tunable));
        }
    }
    return data;
}

PlotAxis tunable_axis(const PlotData::Tunable& tunable, double width_px)
{
    PlotAxis axis;
    if (tunable.categorical) {
        const std::size_t n = std::max<std::size_t>(tunable.categories.size(), 1);
        axis.low = -0.5;
        axis.high = static_cast<double>(n) - 0.5;
        for (std::size_t i = 0; i < tunable.categories.size(); ++i) {
            axis.ticks.emplace_back(static_cast<double>(i), tunable.categories[i]);
        }
        if (!ticks_fit(axis.ticks, axis, width_px)) {
            // Upright (reading upwards), cut but long enough to tell apart; one line of text
            // each, so with more categories than lines fit, every n-th is labelled.
            axis.rotate = true;
            const auto every = static_cast<std::size_t>(
                std::ceil(static_cast<double>(n) * k_line_px / std::max(width_px, 1.0)));
            for (std::size_t i = 0; i < tunable.categories.size(); ++i) {
                axis.ticks[i].second = i % std::max<std::size_t>(every, 1) == 0
                                           ? shortened(tunable.categories[i], k_max_category_chars)
                                           : std::string();
            }
        }
        return axis;
    }
    double low = tunable.range ? tunable.range->first : tunable.points.front().first;
    double high = tunable.range ? tunable.range->second : tunable.points.front().first;
    for (const auto& [x, unused] : tunable.points) {
        low = std::min(low, plotted(x));
        high = std::max(high, plotted(x));
    }
    axis.log = tunable.log && low > 0;
    if (axis.log) {
        // A little room at both ends (3% of the decades), so points there stay off the border.
        const double room = high > low ? std::pow(high / low, 0.03) : 2.0;
        axis.low = low / room;
        axis.high = high * room;
        axis.ticks = log_ticks(axis, tunable.integer, width_px);
        return axis;
    }
    if (high <= low) {
        const double room = tunable.integer ? 1.0 : std::max(1.0, std::abs(low) * 0.1);
        low -= room;
        high += room;
    }
    // Halves first: a range near +/-1e307 must not make the span infinite.
    const double room = (high / 2 - low / 2) * 0.06;
    axis.low = low - room;
    axis.high = high + room;
    axis.ticks = linear_ticks(axis, tunable.integer, width_px);
    return axis;
}

PlotAxis trial_axis(const PlotData& data, double width_px)
{
    PlotAxis axis;
    long long first = data.trials.empty() ? 1 : data.trials.front().trial_id;
    long long last = first;
    for (const auto& t : data.trials) {
        first = std::min(first, t.trial_id);
        last = std::max(last, t.trial_id);
    }
    const double room = std::max(0.5, static_cast<double>(last - first) * 0.02);
    axis.low = static_cast<double>(first) - room;
    axis.high = static_cast<double>(last) + room;
    axis.ticks = linear_ticks(axis, true, width_px);
    return axis;
}

std::size_t plot_panel_count(const PlotData& data, PlotCharts charts)
{
    std::size_t panels = charts == PlotCharts::tunables ? 0 : 1;
    if (charts != PlotCharts::score) {
        panels += data.tunables.size();
    }
    return panels;
}

std::string gnuplot_script(const PlotData& data, PlotCharts charts, const std::string& output_name)
{
    const fs::path name(output_name);
    const std::string extension = name.extension().string();
    const bool score = charts != PlotCharts::tunables;
    const std::size_t panels = has_tunable_panels(data, charts) ? data.tunables.size() : 0;
    const std::size_t columns = columns_for(panels);
    const std::size_t rows = rows_for(panels);
    const int height = (score ? k_score_height : 0) + static_cast<int>(rows) * k_panel_height;
    if (height == 0) {
        throw Error("experiment '" + data.exp_id + "' has no tunables to plot");
    }
    std::string s;
    const std::string size = std::to_string(k_width) + "," + std::to_string(height);
    if (extension == ".svg") {
        s +=
            "set terminal svg size " + size + " noenhanced font 'sans,10' background rgb 'white'\n";
    } else if (extension == ".png") {
        s += "set terminal pngcairo size " + size +
             " noenhanced font 'sans,10' background rgb 'white'\n";
    } else {
        throw ConfigError("", "-o",
                          "cannot tell the image format of '" + output_name +
                              "': expected a name ending in .svg or .png");
    }
    s += "set output " + quoted(output_name) + "\n";
    // A little room above and below the scores so points at the ends do not sit on the
    // border; x ranges are set per panel (with their own room).
    s += "set offsets 0, 0, graph 0.05, graph 0.05\nset autoscale yfix\n";
    s += "set multiplot\n";
    // Failed trials have no score: draw them on a line just below the lowest score.
    double low = 0;
    double high = 0;
    bool first = true;
    for (const auto& t : data.trials) {
        if (t.score) {
            low = first ? plotted(*t.score) : std::min(low, plotted(*t.score));
            high = first ? plotted(*t.score) : std::max(high, plotted(*t.score));
            first = false;
        }
    }
    // Halves first: scores near +/-1.8e308 must not make the span, or the line, infinite.
    const double half_span = high / 2 - low / 2;
    const double margin = half_span > 0 ? 0.1 * half_span : std::max(1.0, std::abs(low) * 0.05);
    const double failed_y = std::max(low - margin, std::numeric_limits<double>::lowest());
    const double total = height;
    double top = 1.0;
    if (score) {
        const double h = k_score_height / total;
        top -= h;
        s += "set origin 0," + number(top) + "\nset size 1," + number(h) + "\n";
        s += score_chart(data, number(failed_y));
    }
    for (std::size_t i = 0; i < panels; ++i) {
        const double w = 1.0 / static_cast<double>(columns);
        const double h = k_panel_height / total;
        const std::size_t row_index = i / columns;
        const auto row = static_cast<double>(row_index);
        const auto column = static_cast<double>(i % columns);
        s += "set origin " + number(column * w) + "," + number(top - (row + 1) * h) + "\n";
        s += "set size " + number(w) + "," + number(h) + "\n";
        s += tunable_chart(data, i, columns);
    }
    s += "unset multiplot\nset output\n";
    return s;
}

void write_plot_data_files(const PlotData& data, const fs::path& dir)
{
    std::string scores;
    std::string failed;
    std::optional<double> best;
    for (const auto& t : data.trials) {
        if (t.score) {
            if (!best || (data.maximize ? *t.score > *best : *t.score < *best)) {
                best = t.score;
            }
            scores += std::to_string(t.trial_id) + " " + number(plotted(*t.score)) + " " +
                      number(plotted(*best)) + "\n";
        } else if (is_failed(t.status)) {
            failed += std::to_string(t.trial_id) + "\n";
        }
    }
    write_text(dir / "score.dat", scores);
    write_text(dir / "failed.dat", failed);
    for (std::size_t i = 0; i < data.tunables.size(); ++i) {
        std::string points;
        for (const auto& [x, y] : data.tunables[i].points) {
            points += number(plotted(x)) + " " + number(plotted(y)) + "\n";
        }
        write_text(dir / ("tunable_" + std::to_string(i) + ".dat"), points);
    }
}

namespace {

// Runs gnuplot on `data` in a scratch directory and hands the image it made to `take`.
template <typename Take>
void run_gnuplot(const PlotData& data,
                 PlotCharts charts,
                 const std::string& extension,
                 double timeout_seconds,
                 Take take)
{
    const auto gnuplot = find_on_path("gnuplot");
    if (!gnuplot) {
        throw Error("gnuplot not found on PATH: plots are drawn by gnuplot (Debian: apt-get "
                    "install gnuplot-nox)");
    }
    const TemporaryDirectory scratch("mlosbench-plot-");
    const std::string image = "plot" + extension;
    write_text(scratch.path() / "plot.gp", gnuplot_script(data, charts, image));
    write_plot_data_files(data, scratch.path());
    ProcessOptions options;
    options.argv = {gnuplot->string(), "plot.gp"};
    options.cwd = scratch.path();
    options.env = current_environment();
    options.timeout_seconds = timeout_seconds;
    const ProcessResult result = run_process(options);
    if (result.timed_out) {
        throw Error("gnuplot did not finish within " + number(timeout_seconds) + " s");
    }
    if (result.exit_code != 0 || !fs::exists(scratch.path() / image)) {
        throw Error("gnuplot failed (exit " + std::to_string(result.exit_code) +
                    "): " + result.err);
    }
    take(scratch.path() / image);
}

} // namespace

void render_plot(const PlotData& data,
                 PlotCharts charts,
                 const fs::path& output,
                 double timeout_seconds)
{
    const std::string extension = output.extension().string();
    if (extension != ".svg" && extension != ".png") {
        throw ConfigError("", "-o",
                          "cannot tell the image format of '" + output.string() +
                              "': expected a name ending in .svg or .png");
    }
    run_gnuplot(data, charts, extension, timeout_seconds, [&](const fs::path& image) {
        std::ifstream file(image, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(file)),
                                std::istreambuf_iterator<char>());
        if (!file) {
            throw Error("cannot read the image gnuplot made: " + image.string());
        }
        write_file_atomically(output, bytes);
    });
}

std::string render_svg(const PlotData& data, PlotCharts charts, double timeout_seconds)
{
    std::string svg;
    run_gnuplot(data, charts, ".svg", timeout_seconds, [&](const fs::path& image) {
        std::ifstream file(image, std::ios::binary);
        svg.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    });
    return svg;
}

} // namespace mlosbench
