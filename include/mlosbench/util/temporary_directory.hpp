#pragma once

#include <filesystem>
#include <string_view>

namespace mlosbench {

/// A fresh directory under the system temp dir, removed with everything in it on destruction
/// unless kept (then its path is logged). Move-only; a moved-from object owns nothing.
class TemporaryDirectory
{
public:
    /// Creates `<system temp dir>/<prefix>XXXXXX` (mkdtemp). Throws Error when it cannot.
    explicit TemporaryDirectory(std::string_view prefix, bool keep = false);
    ~TemporaryDirectory();
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    TemporaryDirectory(TemporaryDirectory&& other) noexcept;
    TemporaryDirectory& operator=(TemporaryDirectory&& other) noexcept;

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    void release() noexcept;

    std::filesystem::path m_path;
    bool m_owned = true;
    bool m_keep = false;
};

} // namespace mlosbench
