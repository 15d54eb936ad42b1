#include "launch_flags.hpp"

#include "commands.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace mlosbench::app {

void add_launch_flags(CLI::App& app, LaunchOptions& o)
{
    app.allow_extras();
    app.add_option("--config", o.config,
                   "CLI config file (JSONC) whose keys mirror these flags; flags win over it");
    app.add_option("--environment", o.environment,
                   "Root environment config (a file, or inline JSON). Required here or in "
                   "--config");
    app.add_option("--optimizer", o.optimizer,
                   "Optimizer config; without it, OneShot runs the current tunable values once");
    app.add_option("--scheduler", o.scheduler,
                   "Scheduler config; without it, the built-in SyncScheduler");
    app.add_option("--storage", o.storage,
                   "Storage config, a path ending in .db/.sqlite/.sqlite3, or a "
                   "postgresql://USER@HOST:PORT/DB URL (default: ./mlosbench.db)");
    app.add_option("--config-path,--config_path,--config-paths,--config_paths", o.config_paths,
                   "Directories searched for relative config and script paths (repeatable)")
        ->expected(1, -1);
    app.add_option("--service,--services", o.services,
                   "Service config files for all environments (repeatable)")
        ->expected(1, -1);
    app.add_option("--globals", o.globals,
                   "Globals files, applied in order; later files win (repeatable)")
        ->expected(1, -1);
    app.add_option("--tunable-values,--tunable_values", o.tunable_values,
                   "Tunable-values files applied in order ({} resets to defaults)")
        ->expected(1, -1);
    app.add_option("--trial-config-repeat-count,--trial_config_repeat_count",
                   o.trial_config_repeat_count, "Trials run for each suggested config (>= 1)");
    app.add_option("--num-trial-runners,--num_trial_runners", o.num_trial_runners,
                   "Trials run at the same time, each with its own environment (1 to 1024)");
    app.add_flag("--random-init,--random_init", o.random_init,
                 "Start from random tunable values (before --tunable-values)");
    app.add_option("--random-seed,--random_seed", o.random_seed,
                   "Seed of --random-init, and the optimizer's seed where its config has none");
    app.add_option("--experiment-id,--experiment_id", o.experiment_id,
                   "Experiment to create or resume (default: the root environment's name)");
    app.add_flag("--no-teardown,--no_teardown", o.no_teardown,
                 "Leave the environments up at the end: no teardown, and what setup lines "
                 "started keeps running");
    app.add_option("--log-file,--log_file", o.log_file, "Also write the log to this file");
    app.add_option("--log-level,--log_level", o.log_level,
                   "CRITICAL, ERROR, WARNING, INFO (default), DEBUG, or a number");
    app.footer(
        "Any other --key value (or --key=value) sets the global parameter key (numbers are\n"
        "parsed, '-' in keys becomes '_'); it wins over globals files. Parameters may also\n"
        "come from the process environment through $VAR in globals files.");
}

void add_run_flags(CLI::App& app, LaunchOptions& o)
{
    app.add_flag("--create-update-storage-schema-only", o.create_update_storage_schema_only,
                 "Create or upgrade the storage schema, then exit");
    app.add_flag("--force", o.force,
                 "Resume even when the tunables or objectives differ from the stored ones");
    app.add_flag("--keep-temp,--keep_temp", o.keep_temp, "Keep each trial's temp directory");
    app.add_flag("--json", o.json, "Print the final summary as one JSON object");
    app.add_option("--max-failed-share,--max_failed_share", o.max_failed_share,
                   "Exit 1 when more than this share of trials failed (0 to 1, default 0.2)")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--max-consecutive-failures,--max_consecutive_failures",
                   o.max_consecutive_failures,
                   "Stop after this many failed trials in a row (default 5; 0 = never)")
        ->check(whole_number_at_least(0));
    app.add_flag("--join", o.join,
                 "Work on the experiment beside its other workers (other mlosbench processes "
                 "started with --join, here or on other machines, on the same storage) instead "
                 "of refusing while one runs");
    app.add_option("--total-trials,--total_trials", o.total_trials,
                   "Stop once the experiment has this many finished trials, counted across "
                   "all workers and runs (a resumed run finishes to N); 0 = no bound")
        ->check(whole_number_at_least(0));
    app.add_option("--lease-timeout,--lease_timeout", o.lease_timeout,
                   "Seconds without a heartbeat after which a worker counts as dead and its "
                   "running trials are run again by the others (default 60)")
        ->check(CLI::Range(1.0, 86400.0));
    app.add_option("--api", o.api,
                   "URL of a running `mlosbench serve` on this storage, as the remote hosts "
                   "reach it (http://HOST:PORT): RemoteEnv lines get it as MLOSBENCH_API, and "
                   "this process's MLOSBENCH_TOKEN (serve's token) as MLOSBENCH_TOKEN, so "
                   "`mlosbench post-metric` on a host records into this run's storage")
        ->option_text("URL");
}

void finish_launch_flags(const CLI::App& app, LaunchOptions& o)
{
    o.extra_args = parse_extra_args(app.remaining());
    if (o.trial_config_repeat_count && *o.trial_config_repeat_count < 1) {
        throw ConfigError("", "--trial-config-repeat-count", "expected an integer >= 1");
    }
    if (o.trial_config_repeat_count &&
        *o.trial_config_repeat_count > k_max_trial_config_repeat_count) {
        throw ConfigError("", "--trial-config-repeat-count",
                          "expected an integer from 1 to " +
                              std::to_string(k_max_trial_config_repeat_count) + ", got " +
                              std::to_string(*o.trial_config_repeat_count));
    }
    if (o.num_trial_runners && *o.num_trial_runners < 1) {
        throw ConfigError("", "--num-trial-runners", "expected an integer >= 1");
    }
    if (o.num_trial_runners && *o.num_trial_runners > k_max_trial_runners) {
        throw ConfigError("", "--num-trial-runners",
                          "expected an integer from 1 to " + std::to_string(k_max_trial_runners) +
                              ", got " + std::to_string(*o.num_trial_runners));
    }
    if (!(o.max_failed_share >= 0 && o.max_failed_share <= 1)) {
        throw ConfigError("", "--max-failed-share",
                          "expected a number from 0 to 1, got " +
                              fmt::format("{}", o.max_failed_share));
    }
    if (o.experiment_id && o.experiment_id->empty()) {
        throw ConfigError("", "--experiment-id", "expected an experiment id, got ''");
    }
}

void check_log_file(const std::optional<std::string>& log_file,
                    const StorageSpec& storage,
                    const std::string& flag)
{
    const std::string& database = storage.database;
    if (!log_file || storage.drivername != "sqlite" || database.empty() || database == ":memory:") {
        return;
    }
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path log = fs::weakly_canonical(fs::absolute(*log_file), ec);
    const fs::path db = fs::weakly_canonical(fs::absolute(database), ec);
    bool same = !log.empty() && log == db;
    if (!same && fs::exists(log, ec) && fs::exists(db, ec)) {
        same = fs::equivalent(log, db, ec);
    }
    if (same) {
        throw ConfigError("", flag,
                          "'" + *log_file +
                              "' is the storage file: the log would corrupt it; choose another "
                              "file");
    }
}

void warn_unused_globals(const LaunchPlan& plan)
{
    if (plan.unused_globals.empty()) {
        return;
    }
    std::string names;
    for (const auto& n : plan.unused_globals) {
        names += (names.empty() ? "" : ", ") + n;
    }
    spdlog::warn("parameters that no config uses (a typo?): {}", names);
}

void setup_logging(const std::optional<std::string>& level,
                   const std::optional<std::string>& log_file)
{
    spdlog::level::level_enum lvl = spdlog::level::info;
    if (level) {
        const std::string name = to_lower(trim(*level));
        if (name == "critical" || name == "fatal" || name == "50") {
            lvl = spdlog::level::critical;
        } else if (name == "error" || name == "40") {
            lvl = spdlog::level::err;
        } else if (name == "warning" || name == "warn" || name == "30") {
            lvl = spdlog::level::warn;
        } else if (name == "info" || name == "20") {
            lvl = spdlog::level::info;
        } else if (name == "debug" || name == "10") {
            lvl = spdlog::level::debug;
        } else if (name == "trace" || name == "0" || name == "notset") {
            lvl = spdlog::level::trace;
        } else {
            throw ConfigError("", "--log-level",
                              "unknown level '" + *level +
                                  "' (expected CRITICAL, ERROR, WARNING, INFO, DEBUG or a number)");
        }
    }
    std::vector<spdlog::sink_ptr> sinks;
    sinks.push_back(escape_control_in_logs(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
    if (log_file) {
        try {
            sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(*log_file));
        } catch (const spdlog::spdlog_ex& e) {
            throw ConfigError("", "--log-file", "cannot open '" + *log_file + "': " + e.what());
        }
    }
    auto logger = std::make_shared<spdlog::logger>("mlosbench", sinks.begin(), sinks.end());
    logger->set_level(lvl);
    const bool debug = lvl <= spdlog::level::debug;
    sinks.front()->set_pattern(debug ? "%Y-%m-%d %H:%M:%S.%e %P %l: %v" : "mlosbench: %l: %v");
    if (log_file) {
        // A log file is read later, beside other logs: every line says when, in UTC.
        sinks.back()->set_formatter(std::make_unique<spdlog::pattern_formatter>(
            debug ? "%Y-%m-%dT%H:%M:%S.%eZ %P %l: %v" : "%Y-%m-%dT%H:%M:%S.%eZ %l: %v",
            spdlog::pattern_time_type::utc));
    }
    spdlog::set_default_logger(logger);
}

} // namespace mlosbench::app
