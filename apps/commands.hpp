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

/// Parses `args` with `app` (CLI11 wants them reversed); prints help and returns true when
/// --help was given.
bool parse_args(CLI::App& app, const std::vector<std::string>& args);

} // namespace mlosbench::app
