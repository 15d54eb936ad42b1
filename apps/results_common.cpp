#include "results_common.hpp"

#include "mlosbench/launcher/launch_plan.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/paths.hpp"
#include "mlosbench/util/strings.hpp"

#include <algorithm>
#include <iostream>

namespace mlosbench::app {

void add_storage_flag(CLI::App& app, std::string& storage)
{
    app.add_option("--storage", storage,
                   "Storage config, a path ending in .db/.sqlite/.sqlite3 or a "
                   "postgresql://USER@HOST:PORT/DB URL (default: ./mlosbench.db); opened "
                   "read-only");
}

StorageSpec results_storage(const std::string& storage)
{
    LaunchOptions options;
    if (!storage.empty()) {
        options.storage = storage;
    }
    return load_storage_spec(options);
}

std::unique_ptr<StorageReader> open_results_storage(const std::string& storage)
{
    return open_storage_reader(results_storage(storage));
}

Json find_experiment(const ResultsReader& reader, const std::string& exp_id)
{
    return reader.experiment(exp_id);
}

void write_output_file(const std::string& path, const std::string& text)
{
    write_file_atomically(path, text);
}

void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& raw_rows)
{
    // Stored text (ids, values, metadata) may hold control characters: shown escaped.
    std::vector<std::vector<std::string>> rows = raw_rows;
    for (auto& row : rows) {
        for (auto& cell : row) {
            cell = escape_control(cell);
        }
    }
    std::vector<std::size_t> widths(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) {
        widths[i] = header[i].size();
        for (const auto& row : rows) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    auto print_row = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(widths[i] - row[i].size() + 2, ' ');
            }
        }
        std::cout << line << "\n";
    };
    print_row(header);
    for (const auto& row : rows) {
        print_row(row);
    }
}

} // namespace mlosbench::app
