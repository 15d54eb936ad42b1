#pragma once

#include "mlosbench/schedulers/scheduler.hpp"

#include <spdlog/sinks/sink.h>

#include <chrono>
#include <memory>
#include <string>

namespace mlosbench::app {

/// The name of the logger of the finished-trial lines: a terminal's console leaves them out
/// (the progress line says it), the log file and a console that is not a terminal keep them.
inline constexpr const char* k_trial_logger = "mlosbench.trials";

/// "0:07", "1:02", "1:02:03": a duration in whole seconds, for people.
[[nodiscard]] std::string clock_text(std::chrono::duration<double> duration);

/// The log line of a finished trial: "trial 3 SUCCEEDED after 1.204 s, score=204.1, tunables
/// changed: x=5, mode=fast", naming the runner when `show_runner`. Tunables are those whose
/// value differs from `defaults` ("tunables at their defaults" when none does).
[[nodiscard]] std::string
trial_end_line(const TrialEnd& end, const TunableValues& defaults, bool show_runner);

/// The progress line of a run on a terminal (stderr), e.g.
/// `trial 17/40 · 2 running (0:12) · 1 failed · best score 204.1 (trial 12) · 1:02 elapsed ·
/// ETA 0:45`, cut to the terminal's width. It is drawn again when the run's state changes (at
/// most 10 times a second) and each second; a log message on the console first clears it and
/// it is drawn again below. Thread-safe.
class ProgressLine
{
public:
    /// Starts the clock and the thread that redraws each second; `target` names the score.
    explicit ProgressLine(std::string target);
    ~ProgressLine(); ///< finish()
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;
    ProgressLine(ProgressLine&&) = delete;
    ProgressLine& operator=(ProgressLine&&) = delete;

    /// `console` (the stderr sink) with its messages printed above the line, and the
    /// messages of k_trial_logger left out.
    [[nodiscard]] spdlog::sink_ptr wrap(spdlog::sink_ptr console) const;

    void update(const RunProgress& progress);
    /// Records a finished trial's duration (a trial running past twice the median is named).
    void trial_ended(const TrialEnd& end);
    /// Draws the last state once more and ends its line; later log messages pass through.
    /// Idempotent.
    void finish();

    struct State;

private:
    std::shared_ptr<State> m_state;
};

} // namespace mlosbench::app
