#pragma once

#include "mlosbench/util/json.hpp"

#include <filesystem>
#include <string>

namespace mlosbench {

/// How a file share transfer ended. A transfer that fails is a result, not an exception.
struct TransferResult
{
    enum class Code {
        ok,
        not_found, ///< the source (remote for download, local for upload) does not exist
        failed,    ///< anything else: permissions, disk full, connection lost...
    };
    Code code = Code::ok;
    std::string message; ///< for not_found and failed: what went wrong, naming the paths

    [[nodiscard]] bool ok() const { return code == Code::ok; }
    [[nodiscard]] static TransferResult success() { return {}; }
};

/// A place to copy files to and from for environments (mlos_bench's SupportsFileShareOps):
/// a shared directory here (LocalFileShareService) or a remote host over SFTP
/// (SshFileShareService).
/// Transfers are recursive: a directory is copied with everything in it, and file modes
/// are kept.
class FileShareService
{
public:
    virtual ~FileShareService() = default;
    FileShareService() = default;
    FileShareService(const FileShareService&) = delete;
    FileShareService& operator=(const FileShareService&) = delete;

    /// The parameters of the environment's current trial, before its transfers: the SSH share
    /// takes its host and user from them (SshTarget::from). The local share needs none.
    virtual void use_parameters(const Json& /*params*/) {}

    /// Copies the local file or directory `local` to `remote` in the share (parents created,
    /// existing files replaced).
    [[nodiscard]] virtual TransferResult upload(const std::filesystem::path& local,
                                                const std::string& remote) = 0;
    /// Copies `remote` from the share to the local path `local` (parents created, existing
    /// files replaced). `not_found` when `remote` does not exist in the share.
    [[nodiscard]] virtual TransferResult download(const std::string& remote,
                                                  const std::filesystem::path& local) = 0;
};

} // namespace mlosbench
