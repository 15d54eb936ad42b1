#pragma once

#include "mlosbench/config/globals_view.hpp"
#include "mlosbench/util/json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlosbench {

/// LocalExecService / TempDirContextService settings.
struct LocalExecSettings
{
    std::optional<std::string> temp_dir; ///< expanded and resolved; nullopt: a fresh dir per trial
    bool abort_on_error = true;
    std::optional<double> timeout;       ///< seconds, for every command it runs
};

/// SshHostService / SshFileShareService settings (docs/remote.md).
struct SshSettings
{
    std::optional<double> request_timeout;
    std::optional<double> keepalive_interval;
    std::optional<int> port;
    std::optional<std::string> username;
    std::optional<std::string> priv_key_path;
    /// Host keys are checked against this file; nullopt with `known_hosts_checking` false
    /// means checking was turned off explicitly (`"ssh_known_hosts_path": null`).
    std::optional<std::string> known_hosts_path;
    bool known_hosts_checking = true;
    std::string shell = "/bin/sh";
};

/// A file share that is a directory of this machine (NFS or another mounted path).
struct LocalFileShareSettings
{
    std::string share_dir;
};

/// The services an environment can use, as loaded from service configs. Later configs shadow
/// earlier ones capability by capability, as mlos_bench's service mix-ins do.
struct ServiceSet
{
    std::optional<LocalExecSettings> local_exec;
    std::optional<SshSettings> ssh_host;
    std::optional<SshSettings> ssh_file_share;
    std::optional<LocalFileShareSettings> local_file_share;
    std::vector<std::string> sources; ///< the service config files, in load order

    /// Adds the services of a validated service document (one service or {"services": [...]}).
    /// Globals override keys the config already has (and count as read); `temp_dir` is
    /// $var-expanded against them. `file` is used in error messages.
    void add_from_json(const Json& doc, const std::string& file, const GlobalsView& globals);
};

} // namespace mlosbench
