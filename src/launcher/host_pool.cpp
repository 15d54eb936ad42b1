#include "mlosbench/launcher/host_pool.hpp"

#include "mlosbench/util/error.hpp"

#include <charconv>
#include <string_view>

namespace mlosbench {
namespace {

/// "[USER@]HOST[:PORT]" -> ssh_hostname, ssh_username, ssh_port.
PoolHost parse_address(const std::string& text, const std::string& source,
                       const std::string& pointer)
{
    std::string_view rest = text;
    PoolHost host;
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
        if (at == 0) {
            throw ConfigError(source, pointer, "expected USER@HOST[:PORT], got '" + text + "'");
        }
        host.set("ssh_username", std::string(rest.substr(0, at)), source);
        rest.remove_prefix(at + 1);
    }
    if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        const std::string_view digits = rest.substr(colon + 1);
        int port = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 ||
            port > 65535) {
            throw ConfigError(source, pointer,
                              "expected a port from 1 to 65535 after ':', got '" + text + "'");
        }
        host.set("ssh_port", port, source);
        rest = rest.substr(0, colon);
    }
    if (rest.empty() || rest.find_first_of(" \t/@") != std::string_view::npos) {
        throw ConfigError(source, pointer, "expected [USER@]HOST[:PORT], got '" + text + "'");
    }
    host.set("ssh_hostname", std::string(rest), source);
    return host;
}

} // namespace

std::vector<PoolHost> parse_host_pool(const Parameter& global)
{
    Json list = global.value;
    if (list.is_string()) {
        // `--host_pool a,b,c` on the command line.
        const std::string text = list.get<std::string>();
        list = Json::array();
        std::size_t start = 0;
        while ((start = text.find_first_not_of(", ", start)) != std::string::npos) {
            const std::size_t end = text.find_first_of(", ", start);
            list.push_back(text.substr(start, end - start));
            start = end;
        }
    }
    if (!list.is_array() || list.empty()) {
        throw ConfigError(global.source, "host_pool",
                          "expected a list of hosts (\"[USER@]HOST[:PORT]\" or objects with "
                          "ssh_hostname), got " + list.dump());
    }
    std::vector<PoolHost> pool;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string pointer = "host_pool/" + std::to_string(i);
        const Json& entry = list[i];
        if (entry.is_string()) {
            pool.push_back(parse_address(entry.get<std::string>(), global.source, pointer));
            continue;
        }
        if (!entry.is_object() || !entry.contains("ssh_hostname") ||
            !entry.at("ssh_hostname").is_string() ||
            entry.at("ssh_hostname").get<std::string>().empty()) {
            throw ConfigError(global.source, pointer,
                              "expected \"[USER@]HOST[:PORT]\" or an object with a non-empty "
                              "ssh_hostname, got " + entry.dump());
        }
        PoolHost host;
        for (const auto& [name, value] : entry.items()) {
            if (value.is_object() || value.is_array()) {
                throw ConfigError(global.source, pointer + "/" + name,
                                  "expected a string, number or boolean, got " + value.dump());
            }
            host.set(name, value, global.source);
        }
        pool.push_back(std::move(host));
    }
    return pool;
}

EnvironmentSpec bind_to_host(const EnvironmentSpec& root, const PoolHost& host)
{
    EnvironmentSpec bound = root;
    for (const auto& [name, param] : host) {
        if (bound.params.contains(name)) {
            bound.params.set(name, param.value, param.source + " (host_pool)");
        }
    }
    for (auto& child : bound.children) {
        child = bind_to_host(child, host);
    }
    return bound;
}

bool uses_ssh_hostname(const EnvironmentSpec& root)
{
    bool found = false;
    root.walk([&](const EnvironmentSpec& spec, int) {
        found = found || spec.params.contains("ssh_hostname");
    });
    return found;
}

} // namespace mlosbench
