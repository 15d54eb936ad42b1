#pragma once

#include <string>

namespace mlosbench {

/// Where `serve` listens: `--bind HOST:PORT` (`[::1]:8080` for IPv6; port 0 picks a free one).
struct BindAddress
{
    std::string host = "127.0.0.1"; ///< an IP address or `localhost`, without brackets
    int port = 8080;

    /// Whether only this machine can connect: 127.0.0.0/8, ::1 or `localhost`.
    [[nodiscard]] bool is_loopback() const;
    /// host:port as a URL authority (`[::1]:8080`).
    [[nodiscard]] std::string authority(int actual_port) const;
};

/// Parses `--bind`: HOST:PORT, [IPV6]:PORT or HOST alone (port 8080). Throws
/// ConfigError("--bind: expected HOST:PORT such as 127.0.0.1:8080, got 'TEXT'") and names a
/// port outside 0-65535.
[[nodiscard]] BindAddress parse_bind_address(const std::string& text);

} // namespace mlosbench
