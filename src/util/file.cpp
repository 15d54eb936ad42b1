#include "mlosbench/util/file.hpp"

#include "util/detail/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>

namespace mlosbench {
namespace {

using detail::Fd;

// "a FIFO, not a regular file" and so on.
std::string not_regular_text(mode_t mode)
{
    const auto kind = [](const char* what) { return std::string(what) + ", not a regular file"; };
    if (S_ISDIR(mode)) {
        return kind("a directory");
    }
    if (S_ISFIFO(mode)) {
        return kind("a FIFO");
    }
    if (S_ISCHR(mode)) {
        return kind("a character device");
    }
    if (S_ISBLK(mode)) {
        return kind("a block device");
    }
    if (S_ISSOCK(mode)) {
        return kind("a socket");
    }
    return "not a regular file";
}

} // namespace

std::string
read_regular_file(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what)
{
    const std::string name = std::string(what) + " '" + path.string() + "'";
    const auto os_error = [&](int err) {
        const std::string reason = std::generic_category().message(err);
        return FileError("cannot read " + name + ": " + reason, reason);
    };
    const auto not_regular = [&](mode_t mode) {
        return FileError(name + " is " + not_regular_text(mode), not_regular_text(mode));
    };
    // stat() first, so that a FIFO or a device is never opened (opening may block or have
    // effects); then fstat() the descriptor in case the path changed in between. O_NONBLOCK
    // keeps open() from waiting for a FIFO's writer should one appear after all.
    struct stat info = {};
    if (::stat(path.c_str(), &info) != 0) {
        throw os_error(errno);
    }
    if (!S_ISREG(info.st_mode)) {
        throw not_regular(info.st_mode);
    }
    const Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        throw os_error(errno);
    }
    if (::fstat(fd.get(), &info) != 0) {
        throw os_error(errno);
    }
    if (!S_ISREG(info.st_mode)) {
        throw not_regular(info.st_mode);
    }
    const auto too_large = [&] {
        const std::string reason = "larger than " + std::to_string(max_bytes) + " bytes";
        return FileError(name + " is " + reason, reason);
    };
    if (static_cast<std::uintmax_t>(info.st_size) > max_bytes) {
        throw too_large();
    }
    // The file may grow while we read: stop one byte past the cap.
    std::string text;
    text.resize(static_cast<std::size_t>(info.st_size) + 1);
    std::size_t used = 0;
    while (true) {
        if (used == text.size()) {
            if (text.size() > max_bytes) {
                throw too_large();
            }
            text.resize(std::min(max_bytes + 1, text.size() * 2 + 4096));
        }
        const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw os_error(errno);
        }
        if (n == 0) {
            break;
        }
        used += static_cast<std::size_t>(n);
    }
    if (used > max_bytes) {
        throw too_large();
    }
    text.resize(used);
    return text;
}

} // namespace mlosbench
