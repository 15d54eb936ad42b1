#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace mlosbench {

/// The directory of the running executable (from /proc/self/exe).
[[nodiscard]] std::filesystem::path executable_dir();

/// The built-in `config/` directory: `<prefix>/share/mlosbench/config` next to an installed
/// binary, else the source tree's `config/` (build-tree binaries). Empty if neither exists.
[[nodiscard]] std::filesystem::path builtin_config_dir();

/// Writes `contents` to `path` whole or not at all: into a temporary file in the same
/// directory, synced, then renamed over `path` (a symlink's target is replaced; a device or
/// pipe such as /dev/stdout is written directly). On failure `path` is left as it was and the
/// temporary file removed; throws Error naming `path` and why.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

/// `~` or `~/...` expanded with $HOME; other paths unchanged.
[[nodiscard]] std::string expand_home(const std::string& path);

} // namespace mlosbench
