#include "mlosbench/server/bind_address.hpp"

#include "mlosbench/util/error.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace mlosbench {
namespace {

[[noreturn]] void bad_bind(const std::string& text, const std::string& why = {})
{
    throw ConfigError("--bind: expected HOST:PORT such as 127.0.0.1:8080" +
                      (why.empty() ? std::string() : " (" + why + ")") + ", got '" + text + "'");
}

} // namespace

bool BindAddress::is_loopback() const
{
    if (host == "localhost") {
        return true;
    }
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24U) == 127U;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        return IN6_IS_ADDR_LOOPBACK(&v6) != 0;
    }
    return false;
}

std::string BindAddress::authority(int actual_port) const
{
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(actual_port);
}

BindAddress parse_bind_address(const std::string& text)
{
    BindAddress address;
    std::string port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) {
            bad_bind(text, "no ']' after an IPv6 address");
        }
        address.host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                bad_bind(text);
            }
            port_text = text.substr(close + 2);
        }
        in6_addr v6{};
        if (::inet_pton(AF_INET6, address.host.c_str(), &v6) != 1) {
            bad_bind(text, "'" + address.host + "' is not an IPv6 address");
        }
    } else {
        const auto colon = text.rfind(':');
        if (colon != std::string::npos && text.find(':') != colon) {
            bad_bind(text, "write an IPv6 address in brackets: [::1]:8080");
        }
        address.host = text.substr(0, colon);
        if (colon != std::string::npos) {
            port_text = text.substr(colon + 1);
        }
        in_addr v4{};
        if (address.host != "localhost" && ::inet_pton(AF_INET, address.host.c_str(), &v4) != 1) {
            bad_bind(text, "the host is an IP address or localhost");
        }
    }
    if (address.host.empty()) {
        bad_bind(text);
    }
    if (!port_text.empty() || (!text.empty() && text.back() == ':')) {
        int port = -1;
        const auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
            port > 65535) {
            bad_bind(text, "the port is 0 to 65535; 0 picks a free one");
        }
        address.port = port;
    }
    return address;
}

} // namespace mlosbench
