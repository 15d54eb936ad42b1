#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mlosbench {

/// One file of a zip archive: its name inside the archive and its bytes.
struct ZipEntry
{
    std::string name;
    std::string contents;
};

/// Writes `entries` (deflated, in order) as a new zip archive at `path`, replacing any file
/// there; libzip writes to a temporary file beside it and renames it, so a failure leaves no
/// half-written archive. Throws mlosbench::Error naming `path` when it cannot be written.
void write_zip_archive(const std::filesystem::path& path, const std::vector<ZipEntry>& entries);

/// The same archive in memory (an HTTP response), never touching the file system. Throws
/// mlosbench::Error when libzip fails.
[[nodiscard]] std::string zip_archive_bytes(const std::vector<ZipEntry>& entries);

} // namespace mlosbench
