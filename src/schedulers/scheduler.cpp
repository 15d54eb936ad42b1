#include "mlosbench/schedulers/scheduler.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/process.hpp"
#include "schedulers/detail/observation_feed.hpp"
#include "schedulers/detail/trial_runner.hpp"

#include <spdlog/spdlog.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>
#include <optional>
#include <system_error>
#include <thread>

namespace mlosbench {
namespace {

bool is_failure(Status s) { return s == Status::failed || s == Status::timed_out; }

/// How often a worker whose work is done looks whether the others finished theirs: a tenth of
/// how long it has waited so far, within these bounds, so it notices the end of the others'
/// trials late by at most 10% (or 50 ms) of its wait and polls at most once a second after.
constexpr std::chrono::milliseconds k_others_poll_min{50};
constexpr std::chrono::milliseconds k_others_poll_max{1000};

} // namespace

struct Scheduler::Impl
{
    const SchedulerSpec& spec;
    const TunableGroups& space;
    Optimizer& optimizer;
    ExperimentStorage& storage;
    RunPolicy policy;
    EnvironmentFactory make_environment;
    detail::TrialInputs inputs;
    detail::CompletionQueue completions;
    std::vector<std::unique_ptr<detail::TrialRunner>> runners;

    // The rest is the main thread's alone.
    std::vector<std::optional<std::int64_t>> running; ///< the trial of each runner (index id-1)
    std::deque<TrialRecord> queue;
    detail::ObservationFeed feed;
    std::int64_t created = 0; ///< new trials made by this run
    std::int64_t consecutive_failures = 0;
    bool stop_suggesting = false;
    bool optimizer_done = false;
    bool experiment_full = false; ///< the experiment has --total-trials trials
    TrialCounts counts;           ///< of the whole experiment, as last read
    std::chrono::steady_clock::time_point next_beat;
    /// When this worker began waiting for the others' trials (waits_for_others), if it is.
    std::optional<std::chrono::steady_clock::time_point> waiting_since;
    bool interrupted = false;
    Verdict early_stop; ///< why the run stopped before the optimizer was done
    RunProgress progress;
    BestObservation progress_best; ///< the best that progress.best_trial_id names
    RunSummary summary;

    Impl(const SchedulerSpec& s,
         EnvironmentFactory factory,
         const TunableGroups& sp,
         Optimizer& o,
         ExperimentStorage& st,
         RunPolicy p)
        : spec(s), space(sp), optimizer(o), storage(st), policy(std::move(p)),
          make_environment(std::move(factory)),
          inputs{storage, policy, make_environment, o.targets()}, feed(st, o.targets())
    {
    }

    [[nodiscard]] Json metadata(const Suggestion& s, std::int64_t repeat_i) const
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
            auto record =
                storage.new_trial(s.config, text, metadata(s, i), now(), policy.total_trials);
            if (!record) {
                experiment_full = true;
                break;
            }
            queue.push_back(std::move(*record));
            ++created;
        }
    }

    [[nodiscard]] bool may_suggest() const
    {
        return !stop_suggesting && !optimizer_done && !experiment_full &&
               optimizer.not_converged() && (spec.max_trials <= 0 || created < spec.max_trials);
    }

    [[nodiscard]] std::size_t busy_runners() const
    {
        return static_cast<std::size_t>(std::count_if(
            running.begin(), running.end(), [](const auto& trial) { return trial.has_value(); }));
    }

    /// The lowest id of a trial still queued or running, here or (with workers) elsewhere.
    [[nodiscard]] std::int64_t oldest_open() const
    {
        // With workers, a trial another made after the count may still be running: the
        // feed must not pass over ids beyond those the count knew of.
        std::int64_t oldest = policy.join
                                  ? std::min(counts.oldest_unfinished, counts.last_id + 1)
                                  : std::numeric_limits<std::int64_t>::max();
        for (const auto& r : queue) {
            oldest = std::min(oldest, r.trial_id);
        }
        for (const auto& trial : running) {
            if (trial) {
                oldest = std::min(oldest, *trial);
            }
        }
        return oldest;
    }

    /// Tells the optimizer about trials completed since it last heard.
    void feed_optimizer()
    {
        if (auto observations = feed.collect(oldest_open()); !observations.empty()) {
            summary.observed += static_cast<std::int64_t>(observations.size());
            optimizer.register_observations(observations);
        }
    }

    void handle(const detail::Completion& c)
    {
        std::erase_if(progress.running_trials,
                      [&](const RunningTrial& t) { return t.trial_id == c.trial_id; });
        if (c.taken_over) {
            --progress.running;
            return;
        }
        if (!c.fatal.empty()) {
            stop_suggesting = true;
            if (early_stop.failure.empty()) {
                early_stop = {c.fatal_is_config ? Outcome::usage_error : Outcome::failed, c.fatal};
            }
            return;
        }
        --progress.running;
        ++progress.finished[c.status];
        ++summary.counts[c.status];
        ++summary.trials;
        if (policy.on_trial_end) {
            TrialEnd end;
            end.trial_id = c.trial_id;
            end.runner_id = c.runner_id;
            end.status = c.status;
            end.duration = c.duration;
            end.scores = c.scores;
            end.config = c.config;
            end.reason = c.reason;
            policy.on_trial_end(end);
        }
        if (c.status == Status::canceled) {
            return;
        }
        consecutive_failures = is_failure(c.status) ? consecutive_failures + 1 : 0;
        if (policy.max_consecutive_failures > 0 &&
            consecutive_failures >= policy.max_consecutive_failures && !stop_suggesting) {
            stop_suggesting = true;
            early_stop.failure = "stopped after " + std::to_string(consecutive_failures) +
                                 " failed trials in a row (--max-consecutive-failures)";
        }
    }

    /// Renews the lease, and queues the trials that no live worker holds (those of a worker
    /// that died).
    void beat()
    {
        if (!storage.heartbeat()) {
            spdlog::warn("this worker had been taken for dead (no heartbeat within the lease "
                         "timeout): other workers took over its running trials");
        }
        if (!stop_suggesting) {
            for (auto& record : storage.claim_trials()) {
                spdlog::info("taking over trial {} (its worker is gone)", record.trial_id);
                queue.push_back(std::move(record));
            }
        }
        next_beat = std::chrono::steady_clock::now() + policy.heartbeat_interval;
    }

    /// Reads the experiment's counts when other workers or runs bear on this one's stop.
    void read_counts()
    {
        if (!policy.join && policy.total_trials <= 0) {
            return;
        }
        counts = storage.trial_counts();
        if (policy.total_trials > 0 && counts.finished >= policy.total_trials &&
            !stop_suggesting) {
            spdlog::info("the experiment has {} finished trials (--total-trials {}): stopping",
                         counts.finished, policy.total_trials);
            stop_suggesting = true;
        }
    }

    /// Whether this worker, with nothing to run, waits: the experiment is full but not
    /// finished, and the trials still open belong to other workers, which may die.
    [[nodiscard]] bool waits_for_others() const
    {
        return policy.join && policy.total_trials > 0 && experiment_full && !stop_suggesting &&
               counts.finished < policy.total_trials;
    }

    /// Tells the optimizer the configs other workers are running, so it does not pick them.
    void tell_pending()
    {
        if (!policy.join) {
            return;
        }
        std::vector<TunableValues> configs;
        for (auto& record : storage.others_in_flight()) {
            configs.push_back(std::move(record.config));
        }
        optimizer.register_pending(configs);
    }

    void assign_idle_runners()
    {
        for (std::size_t i = 0; i < runners.size() && !queue.empty(); ++i) {
            if (running[i]) {
                continue;
            }
            TrialRecord record = std::move(queue.front());
            queue.pop_front();
            storage.assign_runner(record.trial_id, runners[i]->id());
            record.runner_id = runners[i]->id();
            running[i] = record.trial_id;
            runners[i]->assign(std::move(record));
            ++progress.started;
            ++progress.running;
            progress.running_trials.push_back({*running[i], std::chrono::steady_clock::now()});
        }
    }

    /// Takes what the runners posted; on an interrupt, stops suggesting.
    std::deque<detail::Completion> take_completions()
    {
        bool signalled = false;
        std::deque<detail::Completion> done = completions.take(signalled);
        // A runner sees the token as soon as the watcher does: the trial it canceled may be
        // here before the watcher's wake-up, and no new trial may start after it.
        signalled = signalled || policy.cancel.requested();
        for (const auto& c : done) {
            running.at(static_cast<std::size_t>(c.runner_id - 1)).reset();
        }
        // An interrupt after the run already stopped for another reason changes nothing.
        if (signalled && !stop_suggesting) {
            interrupted = true;
            stop_suggesting = true;
            if (const std::size_t busy = busy_runners(); busy > 0) {
                spdlog::warn("stopping: {} running trial{}, killing in {:g} s (Ctrl-C again to "
                             "kill now)",
                             busy, busy == 1 ? "" : "s", k_kill_grace_seconds);
            } else {
                spdlog::warn("stopping");
            }
        }
        return done;
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
            // Looked up only when the best changed: a run of many trials reports often.
            if (best->scores != progress_best.scores || best->config != progress_best.config) {
                progress_best = *best;
                progress.best_trial_id = best_trial_of(progress_best);
            }
        }
        policy.on_progress(progress);
    }

    /// The first trial that scored `best` (repeats of a config score differently).
    [[nodiscard]] std::optional<std::int64_t> best_trial_of(const BestObservation& best) const
    {
        for (const auto& [trial_id, obs] : feed.successes()) {
            if (obs.config == best.config && obs.scores == best.scores) {
                return trial_id;
            }
        }
        return std::nullopt;
    }

    /// The most trials this run finishes, when a budget bounds it: those it resumes, then
    /// what the optimizer's and the scheduler's budgets allow, within --total-trials.
    [[nodiscard]] std::optional<std::int64_t> planned_trials() const
    {
        // Queued now: the trials resumed, and those of `config_id`, which count as made.
        std::optional<std::int64_t> fresh;
        if (policy.max_suggestions > 0) {
            fresh = created + policy.max_suggestions * spec.trial_config_repeat_count;
        }
        if (spec.max_trials > 0) {
            fresh = std::min(fresh.value_or(spec.max_trials), spec.max_trials);
        }
        std::optional<std::int64_t> planned;
        if (fresh) {
            planned = static_cast<std::int64_t>(queue.size()) - created + *fresh;
        }
        if (policy.total_trials > 0 && !policy.join) {
            const std::int64_t left = std::max<std::int64_t>(0, policy.total_trials - counts.finished);
            planned = std::min(planned.value_or(left), left);
        }
        return planned;
    }

    void make_runners()
    {
        for (int i = 1; i <= spec.num_trial_runners; ++i) {
            RunnerContext context;
            context.runner_id = i;
            context.experiment_id = storage.experiment_id();
            context.search_path = policy.search_path;
            context.space = &space;
            context.cancel = policy.cancel;
            context.keep_temp = policy.keep_temp;
            context.teardown = spec.teardown;
            context.api_url = policy.api_url;
            context.api_token = policy.api_token;
            runners.push_back(
                std::make_unique<detail::TrialRunner>(i, std::move(context), inputs, completions));
            running.emplace_back();
        }
    }

    void main_loop()
    {
        next_beat = std::chrono::steady_clock::now() + policy.heartbeat_interval;
        while (true) {
            for (const auto& c : take_completions()) {
                handle(c);
            }
            if (std::chrono::steady_clock::now() >= next_beat) {
                beat();
            }
            read_counts();
            feed_optimizer();
            if (!stop_suggesting) {
                if (queue.size() < runners.size() - busy_runners() && may_suggest()) {
                    tell_pending();
                }
                while (queue.size() < runners.size() - busy_runners() && may_suggest()) {
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
            // A runner is busy until its completion is taken, so none can be missed here.
            if (busy_runners() == 0 && (queue.empty() || stop_suggesting) &&
                !waits_for_others()) {
                break;
            }
            // Waiting for the others' trials, nothing here wakes it: look again soon.
            auto deadline = next_beat;
            if (waits_for_others()) {
                const auto now = std::chrono::steady_clock::now();
                if (!waiting_since) {
                    waiting_since = now;
                }
                const auto poll = std::clamp(
                    std::chrono::duration_cast<std::chrono::milliseconds>(now - *waiting_since) /
                        10,
                    k_others_poll_min, k_others_poll_max);
                deadline = std::min(next_beat, now + poll);
            } else {
                waiting_since.reset();
            }
            completions.wait_until(!stop_suggesting, deadline);
        }
    }

    RunSummary run();
};

RunSummary Scheduler::Impl::run()
{
    summary.experiment_id = storage.experiment_id();
    summary.storage = policy.storage_location;
    summary.resumed = storage.resumed();
    summary.worker_id = storage.worker_id();
    summary.targets = optimizer.targets();

    // Trials left unfinished by an earlier run (a crash or an interrupt) run again first.
    for (auto& record : storage.claim_trials()) {
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
    read_counts();
    progress.planned = planned_trials();
    spdlog::info("experiment '{}' in {}: {}, {} trial runner{}", summary.experiment_id,
                 summary.storage,
                 progress.planned ? "up to " + std::to_string(*progress.planned) +
                                       (*progress.planned == 1 ? " trial" : " trials")
                 : policy.total_trials > 0
                     ? "until the experiment has " + std::to_string(policy.total_trials) +
                           " finished trials"
                     : std::string("no trial budget"),
                 spec.num_trial_runners, spec.num_trial_runners == 1 ? "" : "s");
    if (optimizer.supports_preload()) {
        feed_optimizer();
    } else {
        feed.skip_stored(oldest_open()); // only trials finished from now on teach it
    }
    make_runners();

    // Tells the main loop when the cancel token is requested (SIGINT/SIGTERM).
    int wake_pipe[2] = {-1, -1};
    std::thread watcher;
    if (policy.cancel.fd() >= 0 && ::pipe(wake_pipe) == 0) {
        try {
            watcher = std::thread([this, &wake_pipe] {
                pollfd fds[2] = {{policy.cancel.fd(), POLLIN, 0}, {wake_pipe[0], POLLIN, 0}};
                while (::poll(fds, 2, -1) < 0) {
                }
                if ((fds[0].revents & POLLIN) != 0) {
                    completions.interrupt();
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
        for (auto& r : runners) {
            r->stop();
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
        try {
            runner->start();
        } catch (const std::system_error& e) {
            stop_threads();
            throw Error(fmt::format("cannot start trial runner {} of {}: {}", runner->id(),
                                    runners.size(), e.what()));
        }
    }

    try {
        main_loop();
    } catch (...) {
        stop_threads();
        throw;
    }
    stop_threads();
    feed_optimizer();

    if (spec.teardown && !interrupted) {
        for (auto& r : runners) {
            try {
                // A runner that never ran has nothing to undo, but runner 1 tears down even
                // then, as mlos_bench does once.
                r->teardown(r->id() == 1);
            } catch (const std::exception& e) {
                spdlog::warn("teardown of runner {}: {}", r->id(), e.what());
            }
        }
    }

    summary.experiment_finished = storage.trial_counts().finished;
    summary.best = optimizer.best();
    if (summary.best) {
        // The trial that scored best, not the first one of the best config: repeats of a
        // config (trial_config_repeat_count) score differently.
        for (const auto& [trial_id, obs] : feed.successes()) {
            if (obs.config == summary.best->config && obs.scores == summary.best->scores) {
                summary.best_trial_id = trial_id;
                break;
            }
        }
    }
    Verdict verdict = judge(summary.counts, policy.max_failed_share, interrupted, early_stop);
    if (summary.trials == 0 && !interrupted && early_stop.failure.empty() &&
        policy.total_trials > 0 && counts.finished >= policy.total_trials) {
        // Nothing was left to do: the other workers (or earlier runs) finished the experiment
        // (read_counts said so), which is not a failure of this run.
        verdict = {};
    }
    summary.outcome = verdict.outcome;
    summary.failure = std::move(verdict.failure);
    return summary;
}

Scheduler::Scheduler(const SchedulerSpec& spec, EnvironmentFactory make_environment,
                     const TunableGroups& space, Optimizer& optimizer, ExperimentStorage& storage,
                     RunPolicy policy)
    : m_impl(std::make_unique<Impl>(spec, std::move(make_environment), space, optimizer, storage,
                                    std::move(policy)))
{
}

Scheduler::~Scheduler() = default;

RunSummary Scheduler::run() { return m_impl->run(); }

} // namespace mlosbench
