#include "mlosbench/storage/postgres_target.hpp"

#include "mlosbench/util/error.hpp"
#include "storage/detail/libpq.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace mlosbench {
namespace {

// Keywords that hold secrets: never shown, never part of a location.
constexpr std::array<std::string_view, 2> k_secret_keywords = {"password", "sslpassword"};

bool is_secret_keyword(std::string_view keyword)
{
    return std::find(k_secret_keywords.begin(), k_secret_keywords.end(), keyword) !=
           k_secret_keywords.end();
}

// `text` percent-encoded where a URL component needs it (RFC 3986 unreserved kept).
std::string url_encoded(const std::string& text)
{
    std::string out;
    for (const unsigned char c : text) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            std::array<char, 4> hex{};
            std::snprintf(hex.data(), hex.size(), "%%%02X", c);
            out += hex.data();
        }
    }
    return out;
}

// The URL with the password between ':' and '@' of its authority replaced by "******".
std::string without_password(const std::string& url)
{
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url;
    }
    const auto authority = scheme + 3;
    const auto end = url.find_first_of("/?", authority);
    const auto at = url.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at == std::string::npos || at < authority) {
        return url;
    }
    const auto colon = url.find(':', authority);
    if (colon == std::string::npos || colon > at) {
        return url;
    }
    return url.substr(0, colon + 1) + "******" + url.substr(at);
}

} // namespace

bool is_postgres_url(const std::string& text)
{
    return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

std::optional<std::string> PostgresTarget::option(const std::string& keyword) const
{
    for (const auto& [k, v] : options) {
        if (k == keyword) {
            return v;
        }
    }
    return std::nullopt;
}

void PostgresTarget::set(const std::string& keyword, const std::optional<std::string>& value)
{
    options.erase(std::remove_if(options.begin(), options.end(),
                                 [&](const auto& o) { return o.first == keyword; }),
                  options.end());
    if (value) {
        options.emplace_back(keyword, *value);
    }
}

std::string PostgresTarget::display() const
{
    std::string url = "postgresql://";
    if (const auto user = option("user")) {
        url += url_encoded(*user) + "@";
    }
    const auto host = option("host");
    // A unix socket directory goes in the query (host=/run/postgresql), as libpq reads it.
    const bool socket = host && host->starts_with('/');
    if (host && !socket) {
        url += host->find(':') != std::string::npos ? "[" + *host + "]" : url_encoded(*host);
    }
    if (const auto port = option("port")) {
        url += ":" + url_encoded(*port);
    }
    url += "/";
    if (const auto db = option("dbname")) {
        url += url_encoded(*db);
    }
    std::string query;
    for (const auto& [keyword, value] : options) {
        if (keyword == "user" || keyword == "port" || keyword == "dbname" ||
            (keyword == "host" && !socket) || is_secret_keyword(keyword)) {
            continue;
        }
        query += (query.empty() ? "?" : "&") + url_encoded(keyword) + "=" + url_encoded(value);
    }
    return url + query;
}

PostgresTarget parse_postgres_url(const std::string& url, const std::string& where)
{
    char* error = nullptr;
    PQconninfoOption* parsed = detail::libpq().PQconninfoParse(url.c_str(), &error);
    if (parsed == nullptr) {
        std::string message = error != nullptr ? error : "out of memory";
        detail::libpq().PQfreemem(error);
        while (!message.empty() && message.back() == '\n') {
            message.pop_back();
        }
        throw ConfigError(where, "",
                          "cannot read PostgreSQL URL '" + without_password(url) + "': " + message +
                              " (expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DB"
                              "[?sslmode=...])");
    }
    PostgresTarget target;
    for (const PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val != nullptr) {
            target.options.emplace_back(o->keyword, o->val);
        }
    }
    detail::libpq().PQconninfoFree(parsed);
    return target;
}

} // namespace mlosbench
