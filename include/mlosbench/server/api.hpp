#pragma once

#include "mlosbench/storage/storage_spec.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// One HTTP request as the API sees it (the HTTP library's types stay in http_server.cpp).
struct ApiRequest
{
    std::string method; ///< GET, POST, DELETE, ...
    /// The request target as sent: path and query, percent-encoded (`/api/v1/experiments/a%20b`).
    std::string target;
    std::string body;
    std::string authorization; ///< the Authorization header ("" when none)
    std::string host;          ///< the Host header
    std::string remote_addr;   ///< the client's address, for the rate limit
};

/// The answer: a status, a body and its type, and extra headers.
struct ApiResponse
{
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// How `serve` guards the API.
struct ApiOptions
{
    /// What writes (and, with reads_need_token, reads) must send as `Authorization: Bearer`.
    std::string token;
    /// Reads need the token too (a server reachable from other machines).
    bool reads_need_token = false;
    /// Host header names accepted, without the port (`127.0.0.1`, `localhost`, `[::1]`), so
    /// that a page of another site cannot read the API through DNS rebinding; empty: any.
    std::vector<std::string> allowed_hosts;
    /// Requests per second per client address on average (bursts of twice that); 0: no bound.
    double rate_limit = 50;
    /// The largest request body, in bytes (a metric is far smaller).
    std::size_t max_body_bytes = 64 * 1024;
    /// Chart.js as served at /static/chart.js ("" when it is not installed: the dashboard then
    /// shows its tables without charts).
    std::string chart_js;
};

/// The REST API of `mlosbench serve` (/api/v1/...) and its dashboard pages, over one storage:
/// reads through the results layer (ResultsReader) on any backend, writes (a metric for a
/// running trial, deleting an experiment) through the Storage. handle() is thread-safe.
/// Errors are JSON documents (api_error); see docs/api.md.
class Api
{
public:
    /// Opens `storage` for reading (ConfigError when it does not exist or is not a storage);
    /// the storage is opened for writing at the first write.
    Api(StorageSpec storage, ApiOptions options);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    /// Answers one request; never throws.
    [[nodiscard]] ApiResponse handle(const ApiRequest& request) const;

    /// What `serve` prints: the storage's location (no password).
    [[nodiscard]] std::string storage_location() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// An error document as the API sends it: {"error": {"status": STATUS, "reason": "not found",
/// "message": MESSAGE}} (MESSAGE "" gives the reason).
[[nodiscard]] ApiResponse api_error(int status, const std::string& message);

} // namespace mlosbench
