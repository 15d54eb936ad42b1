#pragma once

#include "mlosbench/schedulers/scheduler.hpp"
#include "schedulers/detail/observation_feed.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace mlosbench::detail {

/// A trial a runner finished, or could not run.
struct Completion
{
    int runner_id = 0;
    std::int64_t trial_id = 0;
    Status status = Status::unknown;
    std::string fatal; ///< a fault that stops the run (storage, config); "" otherwise
    bool fatal_is_config = false;
    /// Another worker took the trial over while it ran here (this worker's lease lapsed):
    /// what this run would have recorded was refused, the other run's result stands.
    bool taken_over = false;
    // What the run of the trial gave, for TrialEnd.
    std::chrono::duration<double> duration{};
    std::map<std::string, double> scores;
    TunableValues config;
    std::string reason;
};

/// What the runner threads tell the main thread: completions, and that the run was
/// interrupted. Thread-safe.
class CompletionQueue
{
public:
    void push(Completion completion);
    void interrupt();
    /// Everything posted so far (may be none), and whether the run was interrupted.
    [[nodiscard]] std::deque<Completion> take(bool& interrupted);
    /// Blocks until a completion is posted, or until the run is interrupted when
    /// `wake_on_interrupt`.
    void wait(bool wake_on_interrupt);
    /// wait(), but returns at `deadline` at the latest.
    void wait_until(bool wake_on_interrupt, std::chrono::steady_clock::time_point deadline);

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Completion> m_completions;
    bool m_interrupted = false;
};

/// What every trial needs, shared by the runners (read-only while they run).
struct TrialInputs
{
    ExperimentStorage& storage;
    const RunPolicy& policy;
    const EnvironmentFactory& make_environment;
    Targets targets; ///< the optimizer's
};

/// One trial runner: a thread with its own environment instance that runs the trials it is
/// given, one at a time, records them and posts a Completion for each. Which trial it runs
/// is the main thread's to know: the runner only hears of the next one and reports the end.
class TrialRunner
{
public:
    TrialRunner(int id, RunnerContext context, const TrialInputs& inputs, CompletionQueue& done);
    ~TrialRunner(); ///< stop()
    TrialRunner(const TrialRunner&) = delete;
    TrialRunner& operator=(const TrialRunner&) = delete;
    TrialRunner(TrialRunner&&) = delete;
    TrialRunner& operator=(TrialRunner&&) = delete;

    [[nodiscard]] int id() const { return m_id; }

    /// Starts the thread. Throws std::system_error when the machine cannot start one.
    void start();
    /// Gives the runner its next trial; it must have posted the completion of the last one.
    void assign(TrialRecord record);
    /// Lets the thread finish its trial, then ends it. Idempotent.
    void stop();
    /// After stop(): the environment's teardown. A runner that never ran a trial builds its
    /// environment first when `even_if_unused` (runner 1 does, as mlos_bench tears down once).
    void teardown(bool even_if_unused);

private:
    void loop();
    [[nodiscard]] Completion run_trial(const TrialRecord& record);

    const int m_id;
    const RunnerContext m_context; ///< environments keep a reference: it never moves
    const TrialInputs& m_inputs;
    CompletionQueue& m_done;
    std::unique_ptr<Environment> m_environment; ///< the thread's, then the main thread's

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::optional<TrialRecord> m_next;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace mlosbench::detail
