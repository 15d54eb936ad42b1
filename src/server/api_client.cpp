#include "mlosbench/server/api_client.hpp"

#include "mlosbench/util/error.hpp"

#include <httplib.h>

namespace mlosbench {
namespace {

// An id as one path segment: everything but unreserved characters percent-encoded.
std::string path_segment(const std::string& text)
{
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += k_hex[u >> 4U];
            out += k_hex[u & 0xfU];
        }
    }
    return out;
}

} // namespace

std::string api_base_url(const std::string& text, const std::string& what)
{
    std::string base = text;
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    const auto fail = [&] {
        return ConfigError("", what,
                           "expected http://HOST:PORT (as serve prints it), got '" + text + "'");
    };
    constexpr std::string_view k_scheme = "http://";
    if (base.rfind(k_scheme, 0) != 0) {
        throw fail();
    }
    const std::string authority = base.substr(k_scheme.size());
    const auto colon = authority.rfind(':');
    if (colon == std::string::npos || colon == 0 || authority.find('/') != std::string::npos) {
        throw fail();
    }
    const std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
        std::stoi(port) > 65535) {
        throw fail();
    }
    return base;
}

Json post_metric_over_http(const std::string& base_url,
                           const std::string& token,
                           const PostedMetric& metric)
{
    const std::string base = api_base_url(base_url, "MLOSBENCH_API");
    httplib::Client client(base);
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(30, 0);
    client.set_write_timeout(10, 0);
    Json body = {{"name", metric.name}, {"value", metric.value}, {"cumulative", metric.cumulative}};
    if (metric.metadata) {
        body["metadata"] = *metric.metadata;
    }
    if (metric.time) {
        body["time"] = *metric.time;
    }
    httplib::Headers headers;
    if (!token.empty()) {
        headers.emplace("Authorization", "Bearer " + token);
    }
    const std::string path = "/api/v1/experiments/" + path_segment(metric.exp_id) + "/trials/" +
                             std::to_string(metric.trial_id) + "/metrics";
    const auto response = client.Post(path, headers, json_dump(body), "application/json");
    if (!response) {
        throw Error("cannot post to " + base + ": " + httplib::to_string(response.error()));
    }
    const Json answer = Json::parse(response->body, nullptr, false);
    if (response->status == 201 && answer.is_object()) {
        return answer;
    }
    std::string message = "HTTP " + std::to_string(response->status);
    if (answer.is_object() && answer.contains("error") && answer["error"].contains("message") &&
        answer["error"]["message"].is_string()) {
        message = answer["error"]["message"].get<std::string>();
    }
    if (response->status >= 400 && response->status < 500) {
        throw ConfigError(base + ": " + message);
    }
    throw Error(base + ": " + message);
}

} // namespace mlosbench
