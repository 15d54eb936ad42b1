#pragma once

#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/storage/storage_spec.hpp"

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

namespace mlosbench::app {

/// Adds `--storage` to a results command (show, export).
void add_storage_flag(CLI::App& app, std::string& storage);

/// The storage `--storage` names (a storage config, a .db path or a postgresql:// URL; ""
/// means ./mlosbench.db).
[[nodiscard]] StorageSpec results_storage(const std::string& storage);

/// That storage opened for reading (any backend): what the results commands read.
[[nodiscard]] std::unique_ptr<StorageReader> open_results_storage(const std::string& storage);

/// The element of reader.experiments() for `exp_id`; ConfigError when there is none.
[[nodiscard]] Json find_experiment(const ResultsReader& reader, const std::string& exp_id);

/// Writes `text` to `path`, replacing it whole or leaving it as it was (write_file_atomically);
/// throws mlosbench::Error naming the file on failure.
void write_output_file(const std::string& path, const std::string& text);

/// Prints `rows` under `header` as left-aligned columns two spaces apart.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

} // namespace mlosbench::app
