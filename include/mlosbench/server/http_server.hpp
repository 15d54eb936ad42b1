#pragma once

#include "mlosbench/server/api.hpp"

#include <memory>
#include <string>

namespace mlosbench {

/// The HTTP server of `mlosbench serve` (cpp-httplib, a pool of threads): every request goes
/// to one Api. The only code that includes the HTTP library.
class HttpServer
{
public:
    /// Serves `api`, which must outlive the server; refuses bodies over `max_body_bytes`.
    HttpServer(const Api& api, std::size_t max_body_bytes);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds to `host`:`port` (0: a free port) and returns the port. Throws mlosbench::Error
    /// naming the address when it cannot (in use, not an address of this machine).
    int bind(const std::string& host, int port);
    /// Answers requests until stop(); returns false when the server failed.
    bool run();
    /// Makes run() return once the requests being answered are done. Thread-safe. Called
    /// before run() starts, run() returns at once; called while run() is starting up it may be
    /// missed: call it again until run() has returned.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace mlosbench
