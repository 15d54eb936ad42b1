#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace mlosbench::app {

// Each subcommand parses its own arguments (argv without the program and command names) and
// returns the exit code; errors propagate to main() as exceptions.
int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int show_command(const std::vector<std::string>& args);
int export_command(const std::vector<std::string>& args);
int plot_command(const std::vector<std::string>& args);
int report_command(const std::vector<std::string>& args);
int metrics_command(const std::vector<std::string>& args);
int post_metric_command(const std::vector<std::string>& args);
int delete_command(const std::vector<std::string>& args);
int list_command(const std::vector<std::string>& args);
int serve_command(const std::vector<std::string>& args);

/// The list of commands with one line each, for `mlosbench --help`.
[[nodiscard]] std::string commands_help();

/// A CLI11 check that the value is a whole number of at least `min`, whose message says so
/// (CLI11's own number checks print the range as doubles).
[[nodiscard]] CLI::Validator whole_number_at_least(long long min);

/// Parses `args` with `app` (CLI11 wants them reversed); prints help and returns true when
/// --help was given.
bool parse_args(CLI::App& app, const std::vector<std::string>& args);

} // namespace mlosbench::app
