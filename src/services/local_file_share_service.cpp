#include "mlosbench/services/local_file_share_service.hpp"

#include <spdlog/spdlog.h>

#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace mlosbench {
namespace {

// Copies a file, a symlink or a directory tree, keeping file modes; replaces what is in the way
// only for files (a directory is merged into an existing one). Throws fs::filesystem_error.
void copy_tree(const fs::path& from, const fs::path& to, bool top)
{
    // The top is followed when it is a symlink (the user named it); links inside are copied.
    const fs::file_status status = top ? fs::status(from) : fs::symlink_status(from);
    if (fs::is_symlink(status)) {
        std::error_code ignored;
        fs::remove(to, ignored);
        fs::copy_symlink(from, to);
        return;
    }
    if (fs::is_directory(status)) {
        fs::create_directories(to);
        for (const auto& entry : fs::directory_iterator(from)) {
            copy_tree(entry.path(), to / entry.path().filename(), false);
        }
        // After the contents, so that a read-only directory can be filled first.
        fs::permissions(to, status.permissions());
        return;
    }
    if (!to.parent_path().empty()) {
        fs::create_directories(to.parent_path());
    }
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    fs::permissions(to, status.permissions());
}

TransferResult copy(const fs::path& from, const fs::path& to, const std::string& what)
{
    std::error_code ec;
    if (!fs::exists(from, ec)) {
        return {TransferResult::Code::not_found, what + ": '" + from.string() + "' does not exist"};
    }
    try {
        copy_tree(from, to, true);
    } catch (const fs::filesystem_error& e) {
        return {TransferResult::Code::failed, what + ": cannot copy '" + from.string() + "' to '" +
                                                  to.string() + "': " + e.code().message()};
    }
    return TransferResult::success();
}

} // namespace

LocalFileShareService::LocalFileShareService(LocalFileShareSettings settings)
    : m_settings(std::move(settings))
{
}

fs::path LocalFileShareService::share_path(const std::string& remote) const
{
    return (fs::path(m_settings.share_dir) / fs::path(remote).relative_path()).lexically_normal();
}

TransferResult LocalFileShareService::upload(const fs::path& local, const std::string& remote)
{
    const fs::path target = share_path(remote);
    spdlog::debug("upload {} -> {}", local.string(), target.string());
    return copy(local, target, "upload");
}

TransferResult LocalFileShareService::download(const std::string& remote, const fs::path& local)
{
    const fs::path source = share_path(remote);
    spdlog::debug("download {} -> {}", source.string(), local.string());
    TransferResult result = copy(source, local, "download");
    if (result.code == TransferResult::Code::not_found) {
        result.message =
            "download: '" + remote + "' does not exist in the file share " + m_settings.share_dir;
    }
    return result;
}

} // namespace mlosbench
