#include "mlosbench/services/service_settings.hpp"

#include "mlosbench/config/template.hpp"
#include "mlosbench/services/service_registry.hpp"
#include "mlosbench/util/error.hpp"

namespace mlosbench {

void ServiceSet::add_from_json(const Json& doc, const std::string& file, const GlobalsView& globals)
{
    if (doc.contains("services")) {
        for (const auto& service : doc.at("services")) {
            add_from_json(service, file, globals);
        }
        return;
    }
    const std::string cls = doc.value("class", "");
    const ServiceClass* service_class = find_service_class(cls);
    if (service_class == nullptr) {
        throw ConfigError(file, "/class", "unknown service class '" + cls + "'");
    }
    const Json config = globals.override_existing(doc.value("config", Json::object()));
    check_seconds(config, "timeout", file, "/config");
    check_seconds(config, "ssh_request_timeout", file, "/config", 1, true);
    check_seconds(config, "ssh_keepalive_interval", file, "/config", 1, true);
    // What `$name` in temp_dir expands from does not count as read (as it never has).
    service_class->add_settings(*this, config, globals.values());
    sources.push_back(file);
}

} // namespace mlosbench
