#include "mlosbench/services/service_settings.hpp"

#include "mlosbench/config/class_names.hpp"
#include "mlosbench/config/schema_validator.hpp"
#include "mlosbench/config/template.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/paths.hpp"

namespace mlosbench {
namespace {

std::optional<double> optional_number(const Json& config, const char* key)
{
    if (config.contains(key) && config.at(key).is_number()) {
        return config.at(key).get<double>();
    }
    return std::nullopt;
}

std::optional<std::string> optional_string(const Json& config, const char* key)
{
    if (config.contains(key) && config.at(key).is_string()) {
        return config.at(key).get<std::string>();
    }
    return std::nullopt;
}

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

} // namespace

void ServiceSet::add_from_json(const Json& doc, const std::string& file, const Parameters& globals,
                               std::set<std::string>* used)
{
    if (doc.contains("services")) {
        for (const auto& service : doc.at("services")) {
            add_from_json(service, file, globals, used);
        }
        return;
    }
    const std::string cls = doc.value("class", "");
    const auto name = canonical_class_name(ConfigKind::service, cls);
    if (!name) {
        throw ConfigError(file, "/class", "unknown service class '" + cls + "'");
    }
    const Json config = globals.override_existing(doc.value("config", Json::object()), used);
    check_seconds(config, "timeout", file, "/config");
    check_seconds(config, "ssh_request_timeout", file, "/config", 1, true);
    check_seconds(config, "ssh_keepalive_interval", file, "/config", 1, true);
    if (*name == "LocalExecService" || *name == "TempDirContextService") {
        LocalExecSettings s;
        if (auto dir = optional_string(config, "temp_dir")) {
            s.temp_dir = expand_home(expand_template(*dir, [&](std::string_view n) {
                return globals.text(n);
            }));
        }
        s.abort_on_error = config.value("abort_on_error", true);
        s.timeout = optional_number(config, "timeout");
        local_exec = s;
    } else if (*name == "SshHostService") {
        ssh_host = parse_ssh(config);
    } else if (*name == "SshFileShareService") {
        ssh_file_share = parse_ssh(config);
    } else if (*name == "LocalFileShareService") {
        local_file_share = LocalFileShareSettings{expand_home(config.value("share_dir", ""))};
    }
    // ConfigPersistenceService only carries config_path, which the launcher reads itself.
    sources.push_back(file);
}

} // namespace mlosbench
