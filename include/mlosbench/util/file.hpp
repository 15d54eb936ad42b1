#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace mlosbench {

/// The whole content of `path`, which must be a regular file (or a symlink to one) of at most
/// `max_bytes` bytes. Never blocks on a FIFO or a device and never reads more than
/// `max_bytes` + 1 bytes. Throws Error naming `what` and the path: "results file '/x' is a
/// FIFO, not a regular file", "... is a directory", "... is larger than 16777216 bytes",
/// "cannot read results file '/x': No such file or directory".
[[nodiscard]] std::string read_regular_file(const std::filesystem::path& path,
                                            std::size_t max_bytes,
                                            std::string_view what = "file");

} // namespace mlosbench
