#include "mlosbench/schedulers/scheduler.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/process.hpp"
#include "mlosbench/util/strings.hpp"

#include <spdlog/spdlog.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

namespace mlosbench {
namespace {

/// A finished (or failed-to-run) trial, reported by a runner thread.
struct Completion
{
    std::int64_t trial_id = 0;
    Status status = Status::unknown;
    std::string fatal; ///< a fault that stops the run (storage, config); "" otherwise
    bool fatal_is_config = false;
};

using Targets = std::vector<std::pair<std::string, std::string>>;

bool is_failure(Status s) { return s == Status::failed || s == Status::timed_out; }

// The score a result value gives: a finite number, or text that reads as one.
std::optional<double> score_of(const Json& value)
{
    const Json v = value.is_string() ? parse_scalar_text(value.get<std::string>()) : value;
    if (v.is_number() && std::isfinite(v.get<double>())) {
        return v.get<double>();
    }
    return std::nullopt;
}

std::map<std::string, double> scores_of(const Json& results, const Targets& targets)
{
    std::map<std::string, double> out;
    for (const auto& [name, direction] : targets) {
        if (!results.contains(name)) {
            continue;
        }
        if (const auto score = score_of(results.at(name))) {
            out[name] = *score;
        }
    }
    return out;
}

// Why the results of a run that succeeded give no usable score for a target (PRODUCT
// "Decisions of December 2026": such a trial is FAILED), or "" when every target has one.
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

struct Scheduler::Impl
{
    struct Runner
    {
        int id = 0;
        RunnerContext context;
        std::unique_ptr<Environment> env;
        std::optional<TrialRecord> assigned;
        bool busy = false;
        std::thread thread;
    };

    const SchedulerSpec& spec;
    const EnvironmentSpec& root;
    const TunableGroups& space;
    Optimizer& optimizer;
    ExperimentStorage& storage;
    RunPolicy policy;
    Targets opt_targets; ///< the optimizer's, for the runner threads

    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::unique_ptr<Runner>> runners;
    std::deque<Completion> completions;
    bool stopping_workers = false;
    bool interrupted = false;

    // Main-thread state.
    std::deque<TrialRecord> queue;
    std::set<std::int64_t> registered;    ///< trial ids told to the optimizer
    std::int64_t low_water = 0;           ///< every id <= this is registered or irrelevant
    std::int64_t created = 0;             ///< new trials made by this run
    std::int64_t consecutive_failures = 0;
    bool stop_suggesting = false;
    bool optimizer_done = false;
    RunProgress progress;
    RunSummary summary;
    std::vector<std::pair<std::int64_t, BestObservation>> successes;

    Impl(const SchedulerSpec& s,
         const EnvironmentSpec& r,
         const TunableGroups& sp,
         Optimizer& o,
         ExperimentStorage& st,
         RunPolicy p)
        : spec(s), root(r), space(sp), optimizer(o), storage(st), policy(std::move(p)),
          opt_targets(o.targets())
    {
    }

    Json metadata(const Suggestion& s, std::int64_t repeat_i) const
    {
        Json m = Json::object();
        m["optimizer"] = optimizer.name();
        m["repeat_i"] = repeat_i;
        m["is_defaults"] = s.is_defaults;
        const auto& targets = optimizer.targets();
        for (std::size_t i = 0; i < targets.size(); ++i) {
            m["opt_target_" + std::to_string(i)] = targets[i].first;
            m["opt_direction_" + std::to_string(i)] = targets[i].second;
        }
        return m;
    }

    void queue_config(const Suggestion& s)
    {
        const std::string text = space.canonical_text(s.config);
        for (std::int64_t i = 1; i <= spec.trial_config_repeat_count; ++i) {
            queue.push_back(storage.new_trial(s.config, text, metadata(s, i), now()));
            ++created;
        }
    }

    bool may_suggest() const
    {
        return !stop_suggesting && !optimizer_done && optimizer.not_converged() &&
               (spec.max_trials <= 0 || created < spec.max_trials);
    }

    /// Tells the optimizer about trials completed since it last heard.
    void feed_optimizer()
    {
        std::vector<Observation> observations;
        for (const CompletedTrial& t : storage.load_completed(low_water)) {
            if (!registered.insert(t.trial_id).second) {
                continue;
            }
            Observation o;
            o.config = t.config;
            o.status = t.status;
            if (t.status == Status::succeeded) {
                o.scores = scores_of(t.results, optimizer.targets());
                successes.emplace_back(t.trial_id, BestObservation{t.config, o.scores});
            }
            observations.push_back(std::move(o));
        }
        // Advance the low-water mark past every id below the oldest unfinished trial.
        std::int64_t oldest_open = std::numeric_limits<std::int64_t>::max();
        for (const auto& r : queue) {
            oldest_open = std::min(oldest_open, r.trial_id);
        }
        for (const auto& runner : runners) {
            if (runner->assigned) {
                oldest_open = std::min(oldest_open, runner->assigned->trial_id);
            }
        }
        if (!registered.empty()) {
            const std::int64_t top = *registered.rbegin();
            low_water = std::max(low_water, std::min(top, oldest_open - 1));
            registered.erase(registered.begin(), registered.upper_bound(low_water));
        }
        if (!observations.empty()) {
            optimizer.register_observations(observations);
        }
    }

    Completion run_trial(Runner& runner, const TrialRecord& record)
    {
        Completion c;
        c.trial_id = record.trial_id;
        TrialContext trial;
        trial.experiment_id = storage.experiment_id();
        trial.trial_id = record.trial_id;
        trial.runner_id = runner.id;
        trial.tunables = record.config;
        trial.metadata = record.metadata;
        trial.storage = policy.storage_location;
        try {
            if (!runner.env) {
                runner.env = Environment::create(root, runner.context);
            }
        } catch (const ConfigError& e) {
            c.fatal = policy.secrets.apply(e.what());
            c.fatal_is_config = true;
            return c;
        }
        storage.update_trial(record.trial_id, Status::running, now());
        PhaseResult result;
        std::vector<TelemetrySample> telemetry;
        try {
            result = runner.env->setup(trial);
            if (result.status == Status::ready || result.status == Status::succeeded) {
                PhaseResult run = runner.env->run();
                if (run.status != Status::canceled) {
                    PhaseResult status = runner.env->status();
                    telemetry = std::move(status.telemetry);
                }
                run.stdout_tail = result.stdout_tail + run.stdout_tail;
                run.stderr_tail = result.stderr_tail + run.stderr_tail;
                result = std::move(run);
            }
            runner.env->end_trial();
        } catch (const std::exception& e) {
            result.status = Status::failed;
            result.reason = policy.secrets.apply(std::string("internal error: ") + e.what());
            spdlog::error("trial {}: {}", record.trial_id, result.reason);
        }
        if (result.status == Status::succeeded) {
            if (std::string why = unusable_target(result, opt_targets); !why.empty()) {
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
            storage.add_telemetry(record.trial_id, telemetry);
        }
        // What the trial printed and why it failed may quote a secret (a command line, a DSN):
        // masked before it is logged or stored.
        result.reason = policy.secrets.apply(std::move(result.reason));
        result.stdout_tail = policy.secrets.apply(std::move(result.stdout_tail));
        result.stderr_tail = policy.secrets.apply(std::move(result.stderr_tail));
        if (!result.stdout_tail.empty() || !result.stderr_tail.empty() || !result.reason.empty()) {
            storage.save_trial_output(record.trial_id, result.stdout_tail, result.stderr_tail,
                                      result.reason);
        }
        if (result.status != Status::succeeded && !result.reason.empty()) {
            spdlog::warn("trial {} {}: {}{}", record.trial_id, status_name(result.status),
                         result.reason, stderr_excerpt(result.stderr_tail));
        }
        storage.update_trial(record.trial_id, result.status, now(),
                             result.status == Status::succeeded ? result.results : Json::object());
        c.status = result.status;
        return c;
    }

    void worker(Runner& runner)
    {
        while (true) {
            TrialRecord record;
            {
                std::unique_lock lock(mutex);
                cv.wait(lock, [&] { return runner.assigned.has_value() || stopping_workers; });
                if (!runner.assigned) {
                    return;
                }
                record = *runner.assigned;
            }
            Completion c;
            try {
                c = run_trial(runner, record);
            } catch (const std::exception& e) {
                c.trial_id = record.trial_id;
                c.fatal = policy.secrets.apply(e.what());
            }
            {
                std::lock_guard lock(mutex);
                completions.push_back(std::move(c));
                runner.assigned.reset();
                runner.busy = false;
            }
            cv.notify_all();
        }
    }

    void handle(const Completion& c)
    {
        if (!c.fatal.empty()) {
            stop_suggesting = true;
            if (summary.failure.empty()) {
                summary.failure = c.fatal;
                summary.exit_code = c.fatal_is_config ? 2 : 1;
            }
            return;
        }
        --progress.running;
        ++progress.finished[c.status];
        ++summary.counts[c.status];
        ++summary.trials;
        if (c.status == Status::canceled) {
            return;
        }
        consecutive_failures = is_failure(c.status) ? consecutive_failures + 1 : 0;
        if (policy.max_consecutive_failures > 0 &&
            consecutive_failures >= policy.max_consecutive_failures && !stop_suggesting) {
            stop_suggesting = true;
            summary.failure = "stopped after " + std::to_string(consecutive_failures) +
                              " failed trials in a row (--max-consecutive-failures)";
        }
    }

    void assign_idle_runners()
    {
        for (auto& runner : runners) {
            if (queue.empty()) {
                break;
            }
            if (runner->busy) {
                continue;
            }
            TrialRecord record = std::move(queue.front());
            queue.pop_front();
            storage.assign_runner(record.trial_id, runner->id);
            record.runner_id = runner->id;
            {
                std::lock_guard lock(mutex);
                runner->assigned = std::move(record);
                runner->busy = true;
            }
            ++progress.started;
            ++progress.running;
        }
        cv.notify_all();
    }

    std::size_t idle_runners() const
    {
        return static_cast<std::size_t>(std::count_if(
            runners.begin(), runners.end(), [](const auto& r) { return !r->busy; }));
    }

    void report_progress()
    {
        if (!policy.on_progress) {
            return;
        }
        if (const auto best = optimizer.best(); best && !optimizer.targets().empty()) {
            const auto it = best->scores.find(optimizer.targets().front().first);
            if (it != best->scores.end()) {
                progress.best_first_score = it->second;
            }
        }
        policy.on_progress(progress);
    }

    RunSummary run();
};

RunSummary Scheduler::Impl::run()
{
    summary.experiment_id = storage.experiment_id();
    summary.storage = policy.storage_location;
    summary.resumed = storage.resumed();
    summary.targets = optimizer.targets();

    // Trials left unfinished by an earlier run (a crash or an interrupt) run again first.
    for (auto& record : storage.pending_trials(true)) {
        queue.push_back(std::move(record));
    }
    if (!queue.empty()) {
        spdlog::info("resuming experiment '{}': {} unfinished trial(s) run again",
                     summary.experiment_id, queue.size());
    }
    if (spec.config_id > 0) {
        Suggestion s{storage.load_config(spec.config_id), false};
        queue_config(s);
    }
    if (optimizer.supports_preload()) {
        feed_optimizer();
    } else {
        // Only trials finished by this run teach an optimizer without warm start.
        for (const CompletedTrial& t : storage.load_completed(0)) {
            low_water = std::max(low_water, t.trial_id);
        }
    }
    for (int i = 1; i <= spec.num_trial_runners; ++i) {
        auto runner = std::make_unique<Runner>();
        runner->id = i;
        runner->context.runner_id = i;
        runner->context.experiment_id = storage.experiment_id();
        runner->context.search_path = policy.search_path;
        runner->context.space = &space;
        runner->context.cancel_fd = policy.cancel_fd;
        runner->context.keep_temp = policy.keep_temp;
        runner->context.teardown = spec.teardown;
        runners.push_back(std::move(runner));
    }
    // Wakes the main loop when SIGINT/SIGTERM arrives (the handler makes cancel_fd readable).
    int wake_pipe[2] = {-1, -1};
    std::thread watcher;
    if (policy.cancel_fd >= 0 && ::pipe(wake_pipe) == 0) {
        try {
            watcher = std::thread([this, &wake_pipe] {
                pollfd fds[2] = {{policy.cancel_fd, POLLIN, 0}, {wake_pipe[0], POLLIN, 0}};
                while (::poll(fds, 2, -1) < 0) {
                }
                if ((fds[0].revents & POLLIN) != 0) {
                    {
                        std::lock_guard lock(mutex);
                        interrupted = true;
                    }
                    cv.notify_all();
                }
            });
        } catch (const std::system_error& e) {
            ::close(wake_pipe[0]);
            ::close(wake_pipe[1]);
            throw Error(std::string("cannot start the thread that watches for signals: ") +
                        e.what());
        }
    }

    // Lets the runners finish their trials, then ends them and the watcher.
    const auto stop_threads = [&] {
        {
            std::lock_guard lock(mutex);
            stopping_workers = true;
        }
        cv.notify_all();
        for (auto& r : runners) {
            if (r->thread.joinable()) {
                r->thread.join();
            }
        }
        if (watcher.joinable()) {
            (void)::write(wake_pipe[1], "x", 1);
            watcher.join();
        }
        if (wake_pipe[0] >= 0) {
            ::close(wake_pipe[0]);
            ::close(wake_pipe[1]);
        }
    };

    // The machine may not start as many threads as asked (ulimit -u, memory): that is a clear
    // error, after the runners that did start have ended.
    for (auto& runner : runners) {
        Runner* r = runner.get();
        try {
            r->thread = std::thread([this, r] { worker(*r); });
        } catch (const std::system_error& e) {
            stop_threads();
            throw Error(fmt::format("cannot start trial runner {} of {}: {}", r->id, runners.size(),
                                    e.what()));
        }
    }

    try {
        while (true) {
            std::deque<Completion> done;
            {
                std::lock_guard lock(mutex);
                done.swap(completions);
                if (interrupted && !stop_suggesting) {
                    stop_suggesting = true;
                    summary.interrupted = true;
                    const std::size_t running = runners.size() - idle_runners();
                    if (running > 0) {
                        spdlog::warn("stopping: {} running trial{}, killing in {:g} s (Ctrl-C "
                                     "again to kill now)",
                                     running, running == 1 ? "" : "s", k_kill_grace_seconds);
                    } else {
                        spdlog::warn("stopping");
                    }
                }
            }
            for (const auto& c : done) {
                handle(c);
            }
            feed_optimizer();
            if (!stop_suggesting) {
                while (queue.size() < idle_runners() && may_suggest()) {
                    auto suggestion = optimizer.suggest();
                    if (!suggestion) {
                        optimizer_done = true;
                        break;
                    }
                    queue_config(*suggestion);
                }
                assign_idle_runners();
            }
            report_progress();
            std::unique_lock lock(mutex);
            const bool any_busy = std::any_of(runners.begin(), runners.end(),
                                              [](const auto& r) { return r->busy; });
            if (!any_busy && completions.empty() && (queue.empty() || stop_suggesting)) {
                break;
            }
            cv.wait(lock, [&] { return !completions.empty() || (interrupted && !stop_suggesting); });
        }
    } catch (...) {
        stop_threads();
        throw;
    }
    stop_threads();
    feed_optimizer();

    if (spec.teardown && !summary.interrupted) {
        for (auto& r : runners) {
            try {
                if (!r->env) {
                    if (r->id != 1) {
                        continue; // a runner that never ran has nothing to undo but runner 1's
                    }
                    r->env = Environment::create(root, r->context);
                }
                r->env->teardown();
            } catch (const std::exception& e) {
                spdlog::warn("teardown of runner {}: {}", r->id, e.what());
            }
        }
    }

    summary.best = optimizer.best();
    if (summary.best) {
        // The trial that scored best, not the first one of the best config: repeats of a
        // config (trial_config_repeat_count) score differently.
        for (const auto& [trial_id, obs] : successes) {
            if (obs.config == summary.best->config && obs.scores == summary.best->scores) {
                summary.best_trial_id = trial_id;
                break;
            }
        }
    }
    if (summary.interrupted) {
        summary.exit_code = 130;
        return summary;
    }
    if (summary.exit_code != 0) {
        return summary;
    }
    const auto count = [&](Status status) {
        const auto it = summary.counts.find(status);
        return it == summary.counts.end() ? std::int64_t{0} : it->second;
    };
    const std::int64_t failed = count(Status::failed) + count(Status::timed_out);
    if (!summary.failure.empty()) {
        summary.exit_code = 1;
    } else if (summary.trials == 0) {
        summary.failure = "no trial ran";
        summary.exit_code = 1;
    } else if (count(Status::succeeded) == 0) {
        summary.failure = "no trial succeeded";
        summary.exit_code = 1;
    } else if (static_cast<double>(failed) >
               policy.max_failed_share * static_cast<double>(summary.trials)) {
        summary.failure = fmt::format("{} of {} trials failed, more than --max-failed-share {}",
                                      failed, summary.trials, policy.max_failed_share);
        summary.exit_code = 1;
    }
    return summary;
}

Scheduler::Scheduler(const SchedulerSpec& spec, const EnvironmentSpec& root,
                     const TunableGroups& space, Optimizer& optimizer, ExperimentStorage& storage,
                     RunPolicy policy)
    : m_impl(std::make_unique<Impl>(spec, root, space, optimizer, storage, std::move(policy)))
{
}

Scheduler::~Scheduler() = default;

RunSummary Scheduler::run() { return m_impl->run(); }

} // namespace mlosbench
