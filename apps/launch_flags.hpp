#pragma once

#include "mlosbench/launcher/launch_options.hpp"
#include "mlosbench/launcher/launch_plan.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/common.h>

namespace mlosbench::app {

/// Adds the flags that say what to load (mlos_bench's flags with both spellings, and ours),
/// those of `run` and `validate`, to `app`, writing into `options`. Unknown `--key value`
/// pairs are left as CLI11 extras.
void add_launch_flags(CLI::App& app, LaunchOptions& options);

/// Adds the flags only a run uses (--force, --json, --max-failed-share, --join, ...).
void add_run_flags(CLI::App& app, LaunchOptions& options);

/// After parsing: turns CLI11's extras into `options.extra_args` and checks flag values.
/// Throws ConfigError on a malformed pair or value.
void finish_launch_flags(const CLI::App& app, LaunchOptions& options);

/// Throws ConfigError naming `flag` when `log_file` is the storage file `database` (by any
/// spelling or hard link): the log would be appended to the database.
void check_log_file(const std::optional<std::string>& log_file,
                    const StorageSpec& storage,
                    const std::string& flag);

/// Sets up logging on stderr (and `log_file`) at `level` (a name or a Python level number).
/// Throws ConfigError for an unknown level.
void setup_logging(const std::optional<std::string>& level,
                   const std::optional<std::string>& log_file);

/// `sink` with control characters in each line of a message escaped (escape_control): for the
/// console, where a trial's output quoted in a warning must not drive the terminal.
[[nodiscard]] spdlog::sink_ptr escape_control_in_logs(spdlog::sink_ptr sink);

/// From now on every log message (stderr and the log file) has `secrets` masked.
void mask_secrets_in_logs(const SecretMask& secrets);

/// Warns once about globals and --key value pairs that no config used (a likely typo).
void warn_unused_globals(const LaunchPlan& plan);

} // namespace mlosbench::app
