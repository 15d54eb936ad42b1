#include "schedulers/detail/trial_runner.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace mlosbench::detail {
namespace {

// Why the results of a run that succeeded give no usable score for a target (such a trial is
// FAILED, docs/trials.md), or "" when every target has one.
std::string unusable_target(const PhaseResult& run, const Targets& targets)
{
    for (const auto& [name, direction] : targets) {
        std::string problem;
        const auto it = run.results.find(name);
        if (it == run.results.end()) {
            problem = "target '" + name + "' is missing from";
        } else if (it->is_null()) {
            problem = "target '" + name + "' is empty in";
        } else if (!score_of(*it)) {
            const std::string text = it->is_string() ? it->get<std::string>() : it->dump();
            problem = "target '" + name + "' is '" + text + "', not a finite number, in";
        } else {
            continue;
        }
        std::vector<std::string> names;
        for (const auto& [metric, value] : run.results.items()) {
            names.push_back(metric);
        }
        std::sort(names.begin(), names.end());
        std::string metrics;
        for (const auto& metric : names) {
            metrics += (metrics.empty() ? "" : ", ") + metric;
        }
        return problem + " the results of " +
               (run.results_source.empty() ? "the environment" : run.results_source) + " (" +
               (metrics.empty() ? "no metrics" : "metrics there: " + metrics) + ")";
    }
    return {};
}

// The last lines of a script's stderr for a console message: at most 5 lines, 500 bytes.
std::string stderr_excerpt(const std::string& err)
{
    constexpr std::size_t k_max_lines = 5;
    constexpr std::size_t k_max_bytes = 500;
    std::vector<std::string> lines = split_lines(err);
    while (!lines.empty() && trim(lines.back()).empty()) {
        lines.pop_back();
    }
    if (lines.empty()) {
        return {};
    }
    const std::size_t first = lines.size() > k_max_lines ? lines.size() - k_max_lines : 0;
    std::string tail;
    for (std::size_t i = first; i < lines.size(); ++i) {
        tail += (i == first ? "" : "\n") + lines[i];
    }
    if (tail.size() > k_max_bytes) {
        tail = "..." + tail.substr(tail.size() - k_max_bytes);
    }
    std::string out = "\nstderr (last lines):";
    for (const auto& line : split_lines(tail)) {
        out += "\n  | " + line;
    }
    return out;
}

} // namespace

void CompletionQueue::push(Completion completion)
{
    {
        const std::lock_guard lock(m_mutex);
        m_completions.push_back(std::move(completion));
    }
    m_cv.notify_all();
}

void CompletionQueue::interrupt()
{
    {
        const std::lock_guard lock(m_mutex);
        m_interrupted = true;
    }
    m_cv.notify_all();
}

std::deque<Completion> CompletionQueue::take(bool& interrupted)
{
    const std::lock_guard lock(m_mutex);
    interrupted = m_interrupted;
    return std::exchange(m_completions, {});
}

void CompletionQueue::wait(bool wake_on_interrupt)
{
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_completions.empty() || (wake_on_interrupt && m_interrupted); });
}

void CompletionQueue::wait_until(bool wake_on_interrupt,
                                 std::chrono::steady_clock::time_point deadline)
{
    std::unique_lock lock(m_mutex);
    m_cv.wait_until(lock, deadline,
                    [&] { return !m_completions.empty() || (wake_on_interrupt && m_interrupted); });
}

TrialRunner::TrialRunner(int id,
                         RunnerContext context,
                         const TrialInputs& inputs,
                         CompletionQueue& done)
    : m_id(id), m_context(std::move(context)), m_inputs(inputs), m_done(done)
{
}

TrialRunner::~TrialRunner() { stop(); }

void TrialRunner::start() { m_thread = std::thread([this] { loop(); }); }

void TrialRunner::assign(TrialRecord record)
{
    {
        const std::lock_guard lock(m_mutex);
        m_next = std::move(record);
    }
    m_cv.notify_all();
}

void TrialRunner::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void TrialRunner::teardown(bool even_if_unused)
{
    if (!m_environment) {
        if (!even_if_unused) {
            return;
        }
        m_environment = m_inputs.make_environment(m_context);
    }
    m_environment->teardown();
}

void TrialRunner::loop()
{
    while (true) {
        TrialRecord record;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_next.has_value() || m_stopping; });
            if (!m_next) {
                return;
            }
            record = std::move(*m_next);
            m_next.reset();
        }
        Completion c;
        try {
            c = run_trial(record);
        } catch (const LeaseLost& e) {
            c.runner_id = m_id;
            c.trial_id = record.trial_id;
            c.taken_over = true;
            spdlog::warn("trial {}: {}; this run of it is dropped", record.trial_id,
                         m_inputs.policy.secrets.apply(e.what()));
        } catch (const std::exception& e) {
            c.runner_id = m_id;
            c.trial_id = record.trial_id;
            c.fatal = m_inputs.policy.secrets.apply(e.what());
        }
        m_done.push(std::move(c));
    }
}

Completion TrialRunner::run_trial(const TrialRecord& record)
{
    const auto started = std::chrono::steady_clock::now();
    Completion c;
    c.runner_id = m_id;
    c.trial_id = record.trial_id;
    TrialContext trial;
    trial.experiment_id = m_inputs.storage.experiment_id();
    trial.trial_id = record.trial_id;
    trial.runner_id = m_id;
    trial.tunables = record.config;
    trial.metadata = record.metadata;
    trial.storage = m_inputs.policy.storage_location;
    try {
        if (!m_environment) {
            m_environment = m_inputs.make_environment(m_context);
        }
    } catch (const ConfigError& e) {
        c.fatal = m_inputs.policy.secrets.apply(e.what());
        c.fatal_is_config = true;
        return c;
    }
    m_inputs.storage.update_trial(record.trial_id, Status::running, now());
    PhaseResult result;
    std::vector<TelemetrySample> telemetry;
    try {
        result = m_environment->setup(trial);
        if (result.status == Status::ready || result.status == Status::succeeded) {
            PhaseResult run = m_environment->run();
            if (run.status != Status::canceled) {
                PhaseResult status = m_environment->status();
                telemetry = std::move(status.telemetry);
            }
            run.stdout_tail = result.stdout_tail + run.stdout_tail;
            run.stderr_tail = result.stderr_tail + run.stderr_tail;
            result = std::move(run);
        }
        m_environment->end_trial();
    } catch (const std::exception& e) {
        result.status = Status::failed;
        result.reason = m_inputs.policy.secrets.apply(std::string("internal error: ") + e.what());
        spdlog::error("trial {}: {}", record.trial_id, result.reason);
    }
    if (result.status == Status::succeeded) {
        if (std::string why = unusable_target(result, m_inputs.targets); !why.empty()) {
            result.status = Status::failed;
            result.reason = std::move(why);
        }
    }
    if (!is_completed(result.status)) {
        result.reason = "environment ended in status " +
                        std::string(status_name(result.status)) +
                        (result.reason.empty() ? "" : ": " + result.reason);
        result.status = Status::failed;
    }
    if (!telemetry.empty()) {
        m_inputs.storage.add_telemetry(record.trial_id, telemetry);
    }
    // What the trial printed and why it failed may quote a secret (a command line, a DSN):
    // masked before it is logged or stored.
    result.reason = m_inputs.policy.secrets.apply(std::move(result.reason));
    result.stdout_tail = m_inputs.policy.secrets.apply(std::move(result.stdout_tail));
    result.stderr_tail = m_inputs.policy.secrets.apply(std::move(result.stderr_tail));
    if (!result.stdout_tail.empty() || !result.stderr_tail.empty() || !result.reason.empty()) {
        m_inputs.storage.save_trial_output(record.trial_id, result.stdout_tail, result.stderr_tail,
                                  result.reason);
    }
    if (result.status != Status::succeeded && !result.reason.empty()) {
        spdlog::warn("trial {} {}: {}{}", record.trial_id, status_name(result.status),
                     result.reason, stderr_excerpt(result.stderr_tail));
    }
    m_inputs.storage.update_trial(record.trial_id, result.status, now(),
                         result.status == Status::succeeded ? result.results : Json::object());
    c.status = result.status;
    c.duration = std::chrono::steady_clock::now() - started;
    c.config = record.config;
    c.reason = std::move(result.reason);
    if (result.status == Status::succeeded) {
        c.scores = scores_of(result.results, m_inputs.targets);
    }
    return c;
}

} // namespace mlosbench::detail
