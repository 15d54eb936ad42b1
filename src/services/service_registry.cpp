#include "mlosbench/services/service_registry.hpp"

#include "mlosbench/config/class_names.hpp"
#include "mlosbench/config/template.hpp"
#include "mlosbench/util/paths.hpp"

#include <array>

namespace mlosbench {
namespace {

SshSettings parse_ssh(const Json& config)
{
    SshSettings s;
    s.request_timeout = optional_number(config, "ssh_request_timeout");
    s.keepalive_interval = optional_number(config, "ssh_keepalive_interval");
    if (config.contains("ssh_port") && config.at("ssh_port").is_number_integer()) {
        s.port = config.at("ssh_port").get<int>();
    }
    s.username = optional_string(config, "ssh_username");
    if (auto key = optional_string(config, "ssh_priv_key_path")) {
        s.priv_key_path = expand_home(*key);
    }
    if (config.contains("ssh_known_hosts_path")) {
        if (config.at("ssh_known_hosts_path").is_null()) {
            s.known_hosts_checking = false;
        } else {
            s.known_hosts_path = expand_home(config.at("ssh_known_hosts_path").get<std::string>());
        }
    }
    if (auto shell = optional_string(config, "ssh_shell")) {
        s.shell = *shell;
    }
    return s;
}

// ConfigPersistenceService only carries config_path, which the launcher reads itself.
void add_config_persistence(ServiceSet& /*services*/,
                            const Json& /*config*/,
                            const Parameters& /*globals*/)
{
}

void add_local_exec(ServiceSet& services, const Json& config, const Parameters& globals)
{
    LocalExecSettings s;
    if (auto dir = optional_string(config, "temp_dir")) {
        s.temp_dir =
            expand_home(expand_template(*dir, [&](std::string_view n) { return globals.text(n); }));
    }
    s.abort_on_error = config.value("abort_on_error", true);
    s.timeout = optional_number(config, "timeout");
    services.local_exec = s;
}

void add_local_file_share(ServiceSet& services, const Json& config, const Parameters& /*globals*/)
{
    services.local_file_share = LocalFileShareSettings{expand_home(config.value("share_dir", ""))};
}

void add_ssh_file_share(ServiceSet& services, const Json& config, const Parameters& /*globals*/)
{
    services.ssh_file_share = parse_ssh(config);
}

void add_ssh_host(ServiceSet& services, const Json& config, const Parameters& /*globals*/)
{
    services.ssh_host = parse_ssh(config);
}

constexpr std::array<std::string_view, 2> k_config_persistence_names = {
    "mlos_bench.services.ConfigPersistenceService",
    "mlos_bench.services.config_persistence.ConfigPersistenceService"};
constexpr std::array<std::string_view, 3> k_local_exec_names = {
    "mlos_bench.services.LocalExecService", "mlos_bench.services.local.LocalExecService",
    "mlos_bench.services.local.local_exec.LocalExecService"};
constexpr std::array<std::string_view, 2> k_ssh_file_share_names = {
    "mlos_bench.services.remote.ssh.SshFileShareService",
    "mlos_bench.services.remote.ssh.ssh_fileshare.SshFileShareService"};
constexpr std::array<std::string_view, 2> k_ssh_host_names = {
    "mlos_bench.services.remote.ssh.SshHostService",
    "mlos_bench.services.remote.ssh.ssh_host_service.SshHostService"};
constexpr std::array<std::string_view, 1> k_temp_dir_context_names = {
    "mlos_bench.services.local.temp_dir_context.TempDirContextService"};

constexpr std::array<ServiceClass, 6> k_classes = {{
    {"ConfigPersistenceService", k_config_persistence_names, add_config_persistence,
     "adds directories to the search path of configs and scripts (config_path)"},
    {"LocalExecService", k_local_exec_names, add_local_exec,
     "runs script lines on this machine: temp_dir, timeout, abort_on_error"},
    {"LocalFileShareService", {}, add_local_file_share,
     "a file share that is a directory on this machine"},
    {"SshFileShareService", k_ssh_file_share_names, add_ssh_file_share,
     "a file share on a remote host over SFTP"},
    {"SshHostService", k_ssh_host_names, add_ssh_host,
     "runs script lines on a remote host over SSH (libssh), host keys checked"},
    // mlos_bench's temp dir mix-in: a LocalExecService as far as mlosbench is concerned.
    {"TempDirContextService", k_temp_dir_context_names, add_local_exec,
     "mlos_bench's temp dir mix-in; here the same as LocalExecService"},
}};

} // namespace

std::span<const ServiceClass> service_classes() { return k_classes; }

const ServiceClass* find_service_class(std::string_view cls)
{
    return find_class_row<ServiceClass>(k_classes, cls);
}

} // namespace mlosbench
