#include "mlosbench/util/temporary_directory.hpp"

#include "mlosbench/util/error.hpp"

#include <spdlog/spdlog.h>

#include <stdlib.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace mlosbench {

TemporaryDirectory::TemporaryDirectory(std::string_view prefix, bool keep) : m_keep(keep)
{
    std::string pattern = (fs::temp_directory_path() / prefix).string() + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        const int error = errno;
        throw Error("cannot create a temporary directory in " + fs::temp_directory_path().string() +
                    ": " + std::generic_category().message(error));
    }
    m_path = pattern;
}

TemporaryDirectory::~TemporaryDirectory() { release(); }

TemporaryDirectory::TemporaryDirectory(TemporaryDirectory&& other) noexcept
    : m_path(std::move(other.m_path)), m_owned(std::exchange(other.m_owned, false)),
      m_keep(other.m_keep)
{
}

TemporaryDirectory& TemporaryDirectory::operator=(TemporaryDirectory&& other) noexcept
{
    if (this != &other) {
        release();
        m_path = std::move(other.m_path);
        m_owned = std::exchange(other.m_owned, false);
        m_keep = other.m_keep;
    }
    return *this;
}

void TemporaryDirectory::release() noexcept
{
    if (!m_owned) {
        return;
    }
    m_owned = false;
    if (m_keep) {
        spdlog::info("kept temporary directory {}", m_path.string());
        return;
    }
    std::error_code ec;
    fs::remove_all(m_path, ec);
    if (ec) {
        spdlog::warn("cannot remove temporary directory {}: {}", m_path.string(), ec.message());
    }
}

} // namespace mlosbench
