#include "commands.hpp"
#include "launch_flags.hpp"
#include "mlosbench/launcher/launch_plan.hpp"
#include "mlosbench/launcher/run_experiment.hpp"
#include "mlosbench/server/api_client.hpp"
#include "mlosbench/storage/storage_spec.hpp"
#include "mlosbench/util/cancel_token.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/process.hpp"
#include "mlosbench/util/strings.hpp"
#include "run_progress.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

namespace mlosbench::app {
namespace {

const CancelSource* g_cancel = nullptr;
std::atomic<int> g_signals{0};

extern "C" void on_signal(int /*signal*/)
{
    // The first one requests the cancel: every process and the scheduler see it, and the
    // running trials get SIGTERM, then SIGKILL after the grace. Another one kills them now.
    if (g_signals.fetch_add(1) == 0) {
        g_cancel->request();
        return;
    }
    kill_running_processes();
    static constexpr char k_message[] = "\nmlosbench: killing the running trials now\n";
    (void)!::write(STDERR_FILENO, k_message, sizeof(k_message) - 1);
}

/// While it lives, SIGINT/SIGTERM request the token (a second one kills the running trials
/// at once); the old handlers come back on destruction.
class SignalGuard
{
public:
    SignalGuard()
    {
        g_signals = 0;
        g_cancel = &m_source;
        struct sigaction action = {};
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, &m_old_int);
        ::sigaction(SIGTERM, &action, &m_old_term);
    }
    ~SignalGuard()
    {
        ::sigaction(SIGINT, &m_old_int, nullptr);
        ::sigaction(SIGTERM, &m_old_term, nullptr);
        g_cancel = nullptr;
    }
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;
    SignalGuard(SignalGuard&&) = delete;
    SignalGuard& operator=(SignalGuard&&) = delete;
    [[nodiscard]] CancelToken token() const { return m_source.token(); }

private:
    CancelSource m_source;
    struct sigaction m_old_int = {};
    struct sigaction m_old_term = {};
};

std::string scores_text(const std::map<std::string, double>& scores)
{
    std::string out;
    for (const auto& [name, value] : scores) {
        out += (out.empty() ? "" : ", ") + name + "=" + format_number(value);
    }
    return out;
}

/// The exit code of a run that ended with `outcome`.
int exit_code_of(Outcome outcome)
{
    switch (outcome) {
    case Outcome::ok:
        return 0;
    case Outcome::failed:
        return 1;
    case Outcome::usage_error:
        return 2;
    case Outcome::interrupted:
        return 130;
    }
    return 1;
}

void print_summary(const RunSummary& s, bool json)
{
    if (json) {
        Json out = Json::object();
        out["experiment_id"] = s.experiment_id;
        out["resumed"] = s.resumed;
        Json counts = Json::object();
        for (const auto& [status, n] : s.counts) {
            counts[std::string(status_name(status))] = n;
        }
        out["trials"] = {{"total", s.trials},
                         {"by_status", counts},
                         {"observed", s.observed},
                         {"experiment_finished", s.experiment_finished}};
        out["worker_id"] = s.worker_id;
        if (s.best) {
            Json config = Json::object();
            for (const auto& [name, value] : s.best->config) {
                config[name] = to_json(value);
            }
            out["best"] = {{"trial_id", s.best_trial_id ? Json(*s.best_trial_id) : Json()},
                           {"scores", s.best->scores},
                           {"config", config}};
        } else {
            out["best"] = nullptr;
        }
        out["storage"] = s.storage;
        out["exit_code"] = exit_code_of(s.outcome);
        out["failure"] = s.failure.empty() ? Json() : Json(s.failure);
        out["interrupted"] = s.interrupted();
        std::cout << json_dump(out) << std::endl;
        return;
    }
    std::string counts;
    for (const auto& [status, n] : s.counts) {
        counts += (counts.empty() ? "" : ", ") + std::string(status_name(status)) + " " +
                  std::to_string(n);
    }
    std::cout << "experiment  " << escape_control(s.experiment_id)
              << (s.resumed ? " (resumed)" : "") << "\n"
              << "trials      " << s.trials << (counts.empty() ? "" : " (" + counts + ")")
              << (s.experiment_finished != s.trials
                      ? "; the experiment has " + std::to_string(s.experiment_finished) +
                            " finished"
                      : "")
              << "\n";
    if (s.best) {
        std::cout << "best        " << scores_text(s.best->scores)
                  << (s.best_trial_id ? " (trial " + std::to_string(*s.best_trial_id) + ")" : "")
                  << "\n";
        std::string config;
        for (const auto& [name, value] : s.best->config) {
            config += (config.empty() ? "" : ", ") + name + "=" + display_text(to_json(value));
        }
        std::cout << "config      " << escape_control(config) << "\n";
    } else {
        std::cout << "best        none\n";
    }
    std::cout << "storage     " << escape_control(s.storage) << "\n";
    if (!s.failure.empty()) {
        std::cout << "failed      " << escape_control(s.failure) << "\n";
    }
    std::cout.flush();
}

/// The processes a run starts (trials' lines above all) find this mlosbench first on their
/// PATH, and MLOSBENCH_BIN names it: `mlosbench post-metric` in a script needs no set-up,
/// whatever PATH the driver was started with. Before any thread starts (setenv).
void put_own_binary_on_path()
{
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec || self.empty()) {
        spdlog::debug("cannot read /proc/self/exe: {}; trials get PATH as it is", ec.message());
        return;
    }
    const std::string dir = self.parent_path().string();
    const char* old = std::getenv("PATH");
    const std::string path = old == nullptr ? std::string() : std::string(old);
    ::setenv("MLOSBENCH_BIN", self.c_str(), 1);
    if (path != dir && path.rfind(dir + ":", 0) != 0) {
        ::setenv("PATH", (path.empty() ? dir : dir + ":" + path).c_str(), 1);
    }
}

} // namespace

int run_command(const std::vector<std::string>& args)
{
    CLI::App app("Run an experiment: trials of the environment, tuned by the optimizer, "
                 "recorded in storage.\n\n" +
                     commands_help(),
                 "mlosbench");
    LaunchOptions options;
    add_launch_flags(app, options);
    add_run_flags(app, options);
    if (parse_args(app, args)) {
        return 0;
    }
    finish_launch_flags(app, options);
    RunOptions run;
    if (options.api) {
        run.api_url = api_base_url(*options.api, "--api");
        const char* token = std::getenv("MLOSBENCH_TOKEN");
        if (token == nullptr || *token == '\0') {
            throw ConfigError("", "--api",
                              "the trials need serve's token to post metrics: set "
                              "MLOSBENCH_TOKEN to the token serve printed or was given");
        }
        run.api_token = token;
    }
    if (options.log_file) {
        check_log_file(options.log_file, load_storage_spec(options), "--log-file");
    }
    setup_logging(options.log_level, options.log_file);

    if (options.create_update_storage_schema_only) {
        const StorageSpec spec = load_storage_spec(options);
        create_update_storage_schema(spec);
        spdlog::info("storage schema of {} is up to date", spec.location());
        return 0;
    }

    put_own_binary_on_path();
    const LaunchPlan plan = load_launch_plan(options);
    check_log_file(plan.log_file, plan.storage,
                   options.log_file ? "--log-file" : plan.cli_config + ": /log_file");
    setup_logging(plan.log_level, plan.log_file);
    mask_secrets_in_logs(plan.secrets);
    warn_unused_globals(plan);
    if (plan.optimizer.max_suggestions == 0 && plan.scheduler.max_trials <= 0) {
        spdlog::warn("no budget: max_suggestions is 0 and max_trials unset, so the run goes on "
                     "until the optimizer is done or it is interrupted");
    }

    run.max_failed_share = options.max_failed_share;
    run.max_consecutive_failures = options.max_consecutive_failures;
    run.keep_temp = options.keep_temp;
    run.force = options.force;
    run.join = options.join;
    run.total_trials = options.total_trials;
    run.lease_timeout = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::llround(options.lease_timeout * 1000)));
    // On a terminal a progress line says how the run goes; elsewhere (CI, a file) each
    // finished trial is a log line. The log file gets those lines either way.
    std::optional<ProgressLine> progress;
    if (::isatty(STDERR_FILENO) != 0 && spdlog::default_logger()->level() <= spdlog::level::info) {
        progress.emplace(plan.optimizer.targets.empty() ? "score"
                                                        : plan.optimizer.targets.front().first);
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.front() = progress->wrap(sinks.front());
        run.on_progress = [&progress](const RunProgress& p) { progress->update(p); };
    }
    const auto trial_log =
        std::make_shared<spdlog::logger>(k_trial_logger, spdlog::default_logger()->sinks().begin(),
                                         spdlog::default_logger()->sinks().end());
    trial_log->set_level(spdlog::default_logger()->level());
    const TunableValues defaults = plan.tunables.defaults();
    const bool show_runner = plan.scheduler.num_trial_runners > 1;
    run.on_trial_end = [&](const TrialEnd& end) {
        if (progress) {
            progress->trial_ended(end);
        }
        trial_log->info("{}", trial_end_line(end, defaults, show_runner));
    };
    const SignalGuard signals;
    const RunSummary summary = run_experiment(plan, run, signals.token());
    if (progress) {
        progress->finish();
    }
    if (!summary.failure.empty() && summary.outcome != Outcome::usage_error) {
        spdlog::error("{}", summary.failure);
    }
    print_summary(summary, options.json);
    if (summary.outcome == Outcome::usage_error) {
        throw ConfigError(summary.failure);
    }
    return exit_code_of(summary.outcome);
}

} // namespace mlosbench::app
