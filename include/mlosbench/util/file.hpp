#pragma once

#include "mlosbench/util/error.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace mlosbench {

/// Why read_regular_file could not read a file. what() names the kind of file and the path
/// ("results file '/x' is a FIFO, not a regular file"); reason() says the same without them
/// ("a FIFO, not a regular file", "No such file or directory"), for errors that name the
/// file elsewhere.
class FileError : public Error
{
public:
    FileError(const std::string& message, std::string reason)
        : Error(message), m_reason(std::move(reason))
    {
    }
    [[nodiscard]] const std::string& reason() const { return m_reason; }

private:
    std::string m_reason;
};

/// The whole content of `path`, which must be a regular file (or a symlink to one) of at most
/// `max_bytes` bytes. Never blocks on a FIFO or a device and never reads more than
/// `max_bytes` + 1 bytes. Throws FileError naming `what` and the path: "results file '/x' is a
/// FIFO, not a regular file", "... is a directory, not a regular file", "... is larger than
/// 16777216 bytes", "cannot read results file '/x': No such file or directory".
[[nodiscard]] std::string read_regular_file(const std::filesystem::path& path,
                                            std::size_t max_bytes,
                                            std::string_view what = "file");

} // namespace mlosbench
