#pragma once

#include "mlosbench/results/zip_archive.hpp"

#include <filesystem>
#include <vector>

namespace mlosbench::testing {

/// The entries of the zip archive at `path` in archive order, read with libzip (consistency
/// checked); a test failure and no entries when it cannot be opened.
[[nodiscard]] std::vector<ZipEntry> read_zip_entries(const std::filesystem::path& path);

} // namespace mlosbench::testing
