#include "mlosbench/services/ssh_file_share_service.hpp"

#include "services/detail/ssh_session.hpp"

#include <libssh/sftp.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>

#include <array>
#include <fstream>
#include <memory>
#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace mlosbench {
namespace {

// A transfer that cannot go on; caught at the top of upload() / download().
struct TransferFailure
{
    TransferResult::Code code;
    std::string message;
};

constexpr std::size_t k_chunk = std::size_t{64} << 10U;

struct SftpDeleter
{
    void operator()(sftp_session_struct* s) const { sftp_free(s); }
};
struct AttributesDeleter
{
    void operator()(sftp_attributes_struct* a) const { sftp_attributes_free(a); }
};
using Attributes = std::unique_ptr<sftp_attributes_struct, AttributesDeleter>;

std::string sftp_message(sftp_session sftp)
{
    switch (sftp_get_error(sftp)) {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
        return "no such file or directory";
    case SSH_FX_PERMISSION_DENIED:
        return "permission denied";
    case SSH_FX_FILE_ALREADY_EXISTS:
        return "file exists";
    case SSH_FX_CONNECTION_LOST:
    case SSH_FX_NO_CONNECTION:
        return "connection lost";
    default:
        return ssh_get_error(sftp->session);
    }
}

[[noreturn]] void fail(sftp_session sftp, const std::string& what)
{
    throw TransferFailure{TransferResult::Code::failed, what + ": " + sftp_message(sftp)};
}

std::string join(const std::string& dir, const std::string& name)
{
    if (dir.empty()) {
        return name;
    }
    return dir.back() == '/' ? dir + name : dir + "/" + name;
}

Attributes stat(sftp_session sftp, const std::string& path)
{
    return Attributes(sftp_stat(sftp, path.c_str()));
}

bool is_remote_dir(sftp_session sftp, const std::string& path)
{
    const Attributes attributes = stat(sftp, path);
    return attributes && attributes->type == SSH_FILEXFER_TYPE_DIRECTORY;
}

void make_remote_dir(sftp_session sftp, const std::string& path)
{
    if (sftp_mkdir(sftp, path.c_str(), 0755) != 0 && !is_remote_dir(sftp, path)) {
        fail(sftp, "cannot create the remote directory '" + path + "'");
    }
}

// Creates every missing parent directory of the remote path `path` (mkdir -p of its dirname).
void make_remote_parents(sftp_session sftp, const std::string& path)
{
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        const std::string dir = path.substr(0, slash);
        if (!dir.empty() && dir.back() != '/' && !is_remote_dir(sftp, dir)) {
            make_remote_dir(sftp, dir);
        }
    }
}

void upload_tree(sftp_session sftp, const fs::path& local, const std::string& remote)
{
    const fs::file_status status = fs::status(local);
    const auto mode = static_cast<mode_t>(status.permissions() & fs::perms::mask);
    if (fs::is_directory(status)) {
        make_remote_dir(sftp, remote);
        for (const auto& entry : fs::directory_iterator(local)) {
            upload_tree(sftp, entry.path(), join(remote, entry.path().filename().string()));
        }
        // After the contents, so that a read-only directory can be filled first.
        if (sftp_chmod(sftp, remote.c_str(), mode) != 0) {
            fail(sftp, "cannot set the mode of '" + remote + "'");
        }
        return;
    }
    std::ifstream in(local, std::ios::binary);
    if (!in) {
        throw TransferFailure{TransferResult::Code::failed, "cannot read '" + local.string() + "'"};
    }
    sftp_file file = sftp_open(sftp, remote.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (file == nullptr) {
        fail(sftp, "cannot write '" + remote + "'");
    }
    std::array<char, k_chunk> buffer{};
    bool ok = true;
    while (ok && in) {
        in.read(buffer.data(), buffer.size());
        const auto size = static_cast<std::size_t>(in.gcount());
        ok = size == 0 || sftp_write(file, buffer.data(), size) == static_cast<ssize_t>(size);
    }
    sftp_close(file);
    if (!ok) {
        fail(sftp, "cannot write '" + remote + "'");
    }
    if (sftp_chmod(sftp, remote.c_str(), mode) != 0) {
        fail(sftp, "cannot set the mode of '" + remote + "'");
    }
}

void download_tree(sftp_session sftp, const std::string& remote, const fs::path& local)
{
    const Attributes attributes = stat(sftp, remote);
    if (!attributes) {
        fail(sftp, "cannot read '" + remote + "'");
    }
    const auto mode = static_cast<fs::perms>(attributes->permissions & 07777U);
    if (attributes->type == SSH_FILEXFER_TYPE_DIRECTORY) {
        fs::create_directories(local);
        sftp_dir dir = sftp_opendir(sftp, remote.c_str());
        if (dir == nullptr) {
            fail(sftp, "cannot list '" + remote + "'");
        }
        std::vector<std::string> names;
        while (const Attributes entry{sftp_readdir(sftp, dir)}) {
            const std::string name = entry->name != nullptr ? entry->name : "";
            if (!name.empty() && name != "." && name != "..") {
                names.push_back(name);
            }
        }
        const bool listed = sftp_dir_eof(dir) != 0;
        sftp_closedir(dir);
        if (!listed) {
            fail(sftp, "cannot list '" + remote + "'");
        }
        for (const auto& name : names) {
            download_tree(sftp, join(remote, name), local / name);
        }
        fs::permissions(local, mode);
        return;
    }
    if (!local.parent_path().empty()) {
        fs::create_directories(local.parent_path());
    }
    sftp_file file = sftp_open(sftp, remote.c_str(), O_RDONLY, 0);
    if (file == nullptr) {
        fail(sftp, "cannot read '" + remote + "'");
    }
    std::error_code ignored;
    if (fs::exists(local, ignored)) {
        fs::permissions(local, fs::perms::owner_read | fs::perms::owner_write,
                        fs::perm_options::add, ignored);
    }
    std::ofstream out(local, std::ios::binary | std::ios::trunc);
    std::array<char, k_chunk> buffer{};
    ssize_t n = 0;
    while (out && (n = sftp_read(file, buffer.data(), buffer.size())) > 0) {
        out.write(buffer.data(), n);
    }
    sftp_close(file);
    out.close();
    if (n < 0) {
        fail(sftp, "cannot read '" + remote + "'");
    }
    if (!out) {
        throw TransferFailure{TransferResult::Code::failed,
                              "cannot write '" + local.string() + "'"};
    }
    fs::permissions(local, mode);
}

// Runs `transfer` with an SFTP session on `target`, reconnecting once if the shared
// connection dropped while idle.
template <typename Transfer>
TransferResult with_sftp(const SshTarget& target, const std::string& what, Transfer transfer)
{
    TransferResult result;
    const std::string error =
        detail::with_ssh_session(target, [&](const std::shared_ptr<detail::SshSession>& s) {
            const std::unique_ptr<sftp_session_struct, SftpDeleter> sftp(sftp_new(s->get()));
            if (!sftp || sftp_init(sftp.get()) != SSH_OK) {
                result = {TransferResult::Code::failed, what + ": cannot start SFTP on " +
                                                            s->name() + ": " +
                                                            ssh_get_error(s->get())};
                return false;
            }
            result = TransferResult::success();
            try {
                transfer(sftp.get());
            } catch (const TransferFailure& e) {
                result = {e.code, what + ": " + e.message + " on " + s->name()};
            } catch (const fs::filesystem_error& e) {
                result = {TransferResult::Code::failed,
                          what + ": " + e.path1().string() + ": " + e.code().message()};
            }
            return true;
        });
    if (!error.empty()) {
        return {TransferResult::Code::failed, what + ": " + error};
    }
    return result;
}

// SFTP paths are relative to the remote home already: `~/x` means `x`.
std::string remote_path(const std::string& path)
{
    if (path == "~") {
        return ".";
    }
    return path.rfind("~/", 0) == 0 ? path.substr(2) : path;
}

} // namespace

SshFileShareService::SshFileShareService(SshSettings settings) : m_settings(std::move(settings)) {}

void SshFileShareService::use_parameters(const Json& params)
{
    try {
        m_target = SshTarget::from(m_settings, params);
        m_target_error.clear();
    } catch (const std::exception& e) {
        m_target.reset();
        m_target_error = e.what();
    }
}

TransferResult SshFileShareService::upload(const fs::path& local, const std::string& remote_arg)
{
    const std::string remote = remote_path(remote_arg);
    if (!m_target) {
        return {TransferResult::Code::failed, "upload: " + m_target_error};
    }
    std::error_code ec;
    if (!fs::exists(local, ec)) {
        return {TransferResult::Code::not_found, "upload: '" + local.string() + "' does not exist"};
    }
    spdlog::debug("upload {} -> {}:{}", local.string(), m_target->key(), remote);
    return with_sftp(*m_target, "upload", [&](sftp_session sftp) {
        make_remote_parents(sftp, remote);
        upload_tree(sftp, local, remote);
    });
}

TransferResult SshFileShareService::download(const std::string& remote_arg, const fs::path& local)
{
    const std::string remote = remote_path(remote_arg);
    if (!m_target) {
        return {TransferResult::Code::failed, "download: " + m_target_error};
    }
    spdlog::debug("download {}:{} -> {}", m_target->key(), remote, local.string());
    return with_sftp(*m_target, "download", [&](sftp_session sftp) {
        if (!stat(sftp, remote)) {
            const int code = sftp_get_error(sftp);
            if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH) {
                throw TransferFailure{TransferResult::Code::not_found,
                                      "'" + remote + "' does not exist"};
            }
        }
        download_tree(sftp, remote, local);
    });
}

} // namespace mlosbench
