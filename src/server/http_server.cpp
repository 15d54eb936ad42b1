#include "mlosbench/server/http_server.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace mlosbench {

struct HttpServer::Impl
{
    httplib::Server server;
    std::atomic<bool> stopped{false};
};

HttpServer::HttpServer(const Api& api, std::size_t max_body_bytes)
    : m_impl(std::make_unique<Impl>())
{
    httplib::Server& server = m_impl->server;
    const auto handler = [&api](const httplib::Request& req, httplib::Response& res) {
        const auto started = std::chrono::steady_clock::now();
        ApiRequest request;
        request.method = req.method;
        request.target = req.target;
        request.body = req.body;
        request.authorization = req.get_header_value("Authorization");
        request.host = req.get_header_value("Host");
        request.remote_addr = req.remote_addr;
        ApiResponse response = api.handle(request);
        res.status = response.status;
        for (const auto& [name, value] : response.headers) {
            res.set_header(name, value);
        }
        res.set_content(std::move(response.body), response.content_type);
        spdlog::debug("{} {} {}: {} ({:.1f} ms)", req.remote_addr, req.method,
                      escape_control(req.target), res.status,
                      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                started)
                          .count());
    };
    // Every method reaches the Api, which answers 404/405 in its own JSON.
    server.Get(".*", handler);
    server.Post(".*", handler);
    server.Put(".*", handler);
    server.Patch(".*", handler);
    server.Delete(".*", handler);
    server.Options(".*", handler);
    // SO_REUSEADDR (a restart binds while old connections linger) but not the library's
    // default SO_REUSEPORT, with which a second server would share a port that is in use.
    server.set_socket_options([](socket_t sock) {
        const int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server.set_payload_max_length(max_body_bytes);
    server.set_read_timeout(5, 0);
    server.set_write_timeout(5, 0);
    server.set_keep_alive_timeout(5);
    server.set_keep_alive_max_count(100);
    // What the library refuses itself (a body over the limit, a request that does not parse)
    // gets the API's error document too.
    server.set_error_handler([max_body_bytes](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) {
            return;
        }
        ApiResponse error = api_error(
            res.status, res.status == 413 ? "request body larger than " +
                                                std::to_string(max_body_bytes) + " bytes"
                                          : std::string());
        res.set_content(std::move(error.body), error.content_type);
    });
}

HttpServer::~HttpServer() = default;

int HttpServer::bind(const std::string& host, int port)
{
    httplib::Server& server = m_impl->server;
    errno = 0;
    const int bound = port == 0 ? server.bind_to_any_port(host)
                                : (server.bind_to_port(host, port) ? port : -1);
    if (bound <= 0) {
        const int error = errno;
        throw Error("cannot listen on " + host + ":" + std::to_string(port) +
                    (error != 0 ? std::string(": ") + std::strerror(error) : std::string()));
    }
    return bound;
}

bool HttpServer::run()
{
    if (m_impl->stopped) {
        return true;
    }
    const bool ok = m_impl->server.listen_after_bind();
    return ok || m_impl->stopped;
}

void HttpServer::stop()
{
    m_impl->stopped = true;
    m_impl->server.stop();
}

} // namespace mlosbench
