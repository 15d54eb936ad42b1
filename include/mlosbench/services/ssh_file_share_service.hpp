#pragma once

#include "mlosbench/services/file_share_service.hpp"
#include "mlosbench/services/service_settings.hpp"
#include "mlosbench/services/ssh_host_service.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace mlosbench {

/// A file share on a remote host, over SFTP (mlos_bench's SshFileShareService). The host and
/// user come from the environment's parameters (use_parameters: `ssh_hostname`, ...), the
/// connection is the one SshHostService shares for that user@host:port. A relative remote
/// path (or one starting with `~/`) is relative to the remote user's home. Transfers are recursive
/// and keep file modes; parents are created; connection faults are `failed` results naming the
/// host.
class SshFileShareService : public FileShareService
{
public:
    explicit SshFileShareService(SshSettings settings);

    void use_parameters(const Json& params) override;
    [[nodiscard]] TransferResult upload(const std::filesystem::path& local,
                                        const std::string& remote) override;
    [[nodiscard]] TransferResult download(const std::string& remote,
                                          const std::filesystem::path& local) override;

private:
    SshSettings m_settings;
    std::optional<SshTarget> m_target;
    std::string m_target_error; ///< why there is no target (missing ssh_hostname)
};

} // namespace mlosbench
