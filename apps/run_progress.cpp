// How a run shows its progress: one log line per finished trial, and on a terminal a status
// line redrawn in place that log messages never break.
#include "run_progress.hpp"

#include "mlosbench/util/json.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"

#include <spdlog/fmt/fmt.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mlosbench::app {
namespace {

using Clock = std::chrono::steady_clock;

/// Redraws on a change of state come at most this often; the ticker draws each second.
constexpr auto k_min_redraw = std::chrono::milliseconds(100);
/// A trial is named as running long only past this, however quick the others were.
constexpr double k_long_trial_floor_seconds = 3;

// Numbers as every command prints them (format_number), so a score reads the same here, in
// the summary, in `show` and in the report.
std::string score_text(double value) { return format_number(value); }

/// "·" where the terminal speaks UTF-8 (as the locale variables say), else "|".
std::string separator()
{
    for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
        const char* value = std::getenv(name);
        if (value != nullptr && *value != '\0') {
            const std::string v = to_lower(value);
            return v.find("utf-8") != std::string::npos || v.find("utf8") != std::string::npos
                       ? " \u00b7 "
                       : " | ";
        }
    }
    return " | ";
}

/// `text` cut to `columns` characters (UTF-8 code points), so that it never wraps: a wrapped
/// line could not be redrawn in place.
std::string fit(const std::string& text, std::size_t columns)
{
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
            if (chars == columns) {
                return text.substr(0, i);
            }
            ++chars;
        }
    }
    return text;
}

std::size_t terminal_columns()
{
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) {
        return size.ws_col - 1U; // the last column would make some terminals wrap
    }
    return 79;
}

} // namespace

std::string clock_text(std::chrono::duration<double> duration)
{
    const auto total = static_cast<long long>(std::max(0.0, std::floor(duration.count())));
    const long long hours = total / 3600;
    const long long minutes = (total / 60) % 60;
    const long long seconds = total % 60;
    if (hours > 0) {
        return fmt::format("{}:{:02}:{:02}", hours, minutes, seconds);
    }
    return fmt::format("{}:{:02}", minutes, seconds);
}

std::string trial_end_line(const TrialEnd& end, const TunableValues& defaults, bool show_runner)
{
    std::string line = fmt::format("trial {} {}{} after {}", end.trial_id, status_name(end.status),
                                   show_runner ? fmt::format(" on runner {}", end.runner_id) : "",
                                   format_seconds(end.duration.count()));
    for (const auto& [target, value] : end.scores) {
        line += ", " + target + "=" + score_text(value);
    }
    if (end.config.empty()) {
        return line;
    }
    std::string changed;
    for (const auto& [name, value] : end.config) {
        const auto it = defaults.find(name);
        if (it == defaults.end() || it->second != value) {
            changed += (changed.empty() ? "" : ", ") + name + "=" + display_text(to_json(value));
        }
    }
    return line +
           (changed.empty() ? ", tunables at their defaults" : ", tunables changed: " + changed);
}

struct ProgressLine::State
{
    std::mutex mutex;
    std::condition_variable wake;
    const std::string target;
    const std::string sep = separator();
    const Clock::time_point start = Clock::now();
    RunProgress progress;
    std::vector<double> durations; ///< of the trials finished, seconds
    Clock::time_point last_draw{};
    bool shown = false;   ///< the line is on the screen, the cursor at its end
    bool active = true;   ///< until finish()
    bool updated = false; ///< the run said how it stands: there is something to draw
    std::thread ticker;

    explicit State(std::string t) : target(std::move(t)) {}

    [[nodiscard]] std::string text(Clock::time_point now)
    {
        const RunProgress& p = progress;
        std::string line = "trial " + std::to_string(p.started);
        if (p.planned) {
            line += "/" + std::to_string(*p.planned);
        }
        if (p.running > 0 && !p.running_trials.empty()) {
            line += sep + std::to_string(p.running) + " running (" +
                    clock_text(now - p.running_trials.front().since) + ")";
        }
        const auto count = [&](Status s) {
            const auto it = p.finished.find(s);
            return it == p.finished.end() ? std::int64_t{0} : it->second;
        };
        if (const auto failed = count(Status::failed); failed > 0) {
            line += sep + std::to_string(failed) + " failed";
        }
        if (const auto timed_out = count(Status::timed_out); timed_out > 0) {
            line += sep + std::to_string(timed_out) + " timed out";
        }
        if (p.best_first_score) {
            line += sep + "best " + target + " " + score_text(*p.best_first_score) +
                    (p.best_trial_id ? " (trial " + std::to_string(*p.best_trial_id) + ")" : "");
        }
        if (!durations.empty()) {
            std::vector<double> sorted = durations;
            const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
            std::nth_element(sorted.begin(), middle, sorted.end());
            const double limit = std::max(2 * *middle, k_long_trial_floor_seconds);
            for (const auto& t : p.running_trials) {
                const std::chrono::duration<double> ran = now - t.since;
                if (ran.count() > limit) {
                    line +=
                        sep + "trial " + std::to_string(t.trial_id) + " running " + clock_text(ran);
                }
            }
        }
        const std::chrono::duration<double> elapsed = now - start;
        line += sep + clock_text(elapsed) + " elapsed";
        std::int64_t finished = 0;
        for (const auto& [status, n] : p.finished) {
            finished += n;
        }
        if (p.planned && finished > 0 && *p.planned > finished) {
            const double per_trial = elapsed.count() / static_cast<double>(finished);
            line += sep + "ETA " +
                    clock_text(std::chrono::duration<double>(
                        per_trial * static_cast<double>(*p.planned - finished)));
        }
        return line;
    }

    /// Draws the line over the one on the screen. The caller holds the mutex.
    void draw(Clock::time_point now)
    {
        const std::string line = fit(text(now), terminal_columns());
        std::fputs(("\r\033[K" + line).c_str(), stderr);
        std::fflush(stderr);
        shown = true;
        last_draw = now;
    }

    /// Takes the line off the screen, the cursor at the start of its row. Holds the mutex.
    void clear()
    {
        if (shown) {
            std::fputs("\r\033[K", stderr);
            std::fflush(stderr);
            shown = false;
        }
    }
};

namespace {

/// The console sink of a terminal under a progress line.
class ProgressLineSink final : public spdlog::sinks::sink
{
public:
    ProgressLineSink(spdlog::sink_ptr inner, std::shared_ptr<ProgressLine::State> state)
        : m_inner(std::move(inner)), m_state(std::move(state))
    {
    }

    void log(const spdlog::details::log_msg& msg) override
    {
        if (msg.logger_name == k_trial_logger) {
            return;
        }
        const std::lock_guard lock(m_state->mutex);
        m_state->clear();
        m_inner->log(msg);
        m_inner->flush();
        if (m_state->active && m_state->updated) {
            m_state->draw(Clock::now());
        }
    }
    void flush() override { m_inner->flush(); }
    void set_pattern(const std::string& pattern) override { m_inner->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override
    {
        m_inner->set_formatter(std::move(formatter));
    }

private:
    spdlog::sink_ptr m_inner;
    std::shared_ptr<ProgressLine::State> m_state;
};

} // namespace

ProgressLine::ProgressLine(std::string target) : m_state(std::make_shared<State>(std::move(target)))
{
    m_state->ticker = std::thread([state = m_state.get()] {
        std::unique_lock lock(state->mutex);
        while (state->active) {
            if (state->wake.wait_for(lock, std::chrono::seconds(1)) == std::cv_status::timeout &&
                state->active && state->updated) {
                state->draw(Clock::now());
            }
        }
    });
}

ProgressLine::~ProgressLine() { finish(); }

spdlog::sink_ptr ProgressLine::wrap(spdlog::sink_ptr console) const
{
    return std::make_shared<ProgressLineSink>(std::move(console), m_state);
}

void ProgressLine::update(const RunProgress& progress)
{
    const std::lock_guard lock(m_state->mutex);
    m_state->progress = progress;
    m_state->updated = true;
    const auto now = Clock::now();
    if (m_state->active && now - m_state->last_draw >= k_min_redraw) {
        m_state->draw(now);
    }
}

void ProgressLine::trial_ended(const TrialEnd& end)
{
    const std::lock_guard lock(m_state->mutex);
    m_state->durations.push_back(end.duration.count());
}

void ProgressLine::finish()
{
    {
        const std::lock_guard lock(m_state->mutex);
        if (!m_state->active) {
            return;
        }
        m_state->active = false;
        if (m_state->updated) {
            m_state->draw(Clock::now());
            std::fputs("\n", stderr);
            std::fflush(stderr);
            m_state->shown = false;
        }
    }
    m_state->wake.notify_all();
    if (m_state->ticker.joinable()) {
        m_state->ticker.join();
    }
}

} // namespace mlosbench::app
