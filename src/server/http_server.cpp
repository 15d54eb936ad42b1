#include "mlosbench/server/http_server.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace mlosbench {
namespace {

constexpr std::size_t k_threads = 16;
constexpr std::size_t k_requests_per_connection = 1;

} // namespace

struct HttpServer::Impl
{
    httplib::Server server;
    std::atomic<bool> stopped{false};
    socket_t listener = -1; ///< the listening socket, as the library made it
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
    // TCP_NODELAY, which the accepted connections inherit: the library writes an answer's
    // headers and body apart, and Nagle's algorithm would hold the body back until the
    // client's delayed ACK (40 ms on Linux).
    server.set_socket_options([impl = m_impl.get()](socket_t sock) {
        impl->listener = sock;
        const int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    });
    // One thread holds one connection for as long as it is kept alive, and a connection
    // waits for a free thread: with the library's 8 threads and 100 requests per connection,
    // the ninth client of big experiments waited 10 s and more. 16 threads, and one request
    // per connection (the client's next one queues behind those waiting), share the server
    // fairly among any number of clients.
    server.new_task_queue = [] { return new httplib::ThreadPool(k_threads); };
    server.set_payload_max_length(max_body_bytes);
    server.set_read_timeout(5, 0);
    server.set_write_timeout(5, 0);
    server.set_keep_alive_timeout(5);
    server.set_keep_alive_max_count(k_requests_per_connection);
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
    // The library listens with a backlog of 5: clients connecting at once beyond that lose
    // their SYN and retry after 1, 3, 7 s. Listening again sets the system's maximum.
    if (m_impl->listener >= 0) {
        ::listen(m_impl->listener, SOMAXCONN);
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
