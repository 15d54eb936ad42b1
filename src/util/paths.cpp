#include "mlosbench/util/paths.hpp"

#include "mlosbench/util/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace fs = std::filesystem;

namespace mlosbench {

fs::path executable_dir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : exe.parent_path();
}

fs::path builtin_config_dir()
{
    static const fs::path dir = [] {
        std::error_code ec;
        const fs::path installed = executable_dir() / ".." / "share" / "mlosbench" / "config";
        if (fs::is_directory(installed, ec)) {
            return fs::weakly_canonical(installed, ec);
        }
        if (fs::is_directory(MLOSBENCH_SOURCE_CONFIG_DIR, ec)) {
            return fs::path(MLOSBENCH_SOURCE_CONFIG_DIR);
        }
        if (fs::is_directory(MLOSBENCH_INSTALL_CONFIG_DIR, ec)) {
            return fs::path(MLOSBENCH_INSTALL_CONFIG_DIR);
        }
        return fs::path();
    }();
    return dir;
}

namespace {

// Writes all of `contents` to `fd`; false with errno set on failure.
bool write_all(int fd, std::string_view contents)
{
    while (!contents.empty()) {
        const ssize_t n = ::write(fd, contents.data(), contents.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        contents.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

[[noreturn]] void fail_writing(const fs::path& path, int error)
{
    throw Error("cannot write " + path.string() + ": " + std::strerror(error));
}

} // namespace

void write_file_atomically(const fs::path& path, std::string_view contents)
{
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::exists(status) && !fs::is_regular_file(status)) {
        // A device or a pipe (/dev/stdout, a FIFO): nothing to rename over.
        const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0) {
            fail_writing(path, errno);
        }
        const bool written = write_all(fd, contents);
        const int error = errno;
        if (::close(fd) != 0 || !written) {
            fail_writing(path, written ? errno : error);
        }
        return;
    }
    // Through a symlink the target is replaced, not the link.
    const fs::path target = fs::is_symlink(fs::symlink_status(path, ec)) && fs::exists(status)
                                ? fs::canonical(path, ec)
                                : path;
    mode_t mode = 0;
    struct stat existing = {};
    if (::stat(target.c_str(), &existing) == 0) {
        mode = existing.st_mode & 07777;
    } else {
        const mode_t mask = ::umask(0);
        ::umask(mask);
        mode = 0666 & ~mask;
    }
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) {
        fail_writing(path, errno);
    }
    const bool ok = write_all(fd, contents) && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
    const int error = errno;
    if (::close(fd) != 0 || !ok) {
        const int reported = ok ? errno : error;
        ::unlink(temp.c_str());
        fail_writing(path, reported);
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int reported = errno;
        ::unlink(temp.c_str());
        fail_writing(path, reported);
    }
}

std::string expand_home(const std::string& path)
{
    if (path == "~" || path.rfind("~/", 0) == 0) {
        const char* home = std::getenv("HOME");
        if (home != nullptr) {
            return std::string(home) + path.substr(1);
        }
    }
    return path;
}

} // namespace mlosbench
