#include "mlosbench/server/api.hpp"

#include "mlosbench/config/status.hpp"
#include "mlosbench/config/telemetry.hpp"
#include "mlosbench/results/export_tables.hpp"
#include "mlosbench/results/metrics_query.hpp"
#include "mlosbench/results/results_reader.hpp"
#include "mlosbench/server/api_token.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_reader.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/time.hpp"
#include "server/detail/dashboard_assets.hpp"
#include "server/detail/rate_limiter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

namespace mlosbench {
namespace {

// The longest experiment id, metric name and metadata the API takes (bytes): far beyond
// real ones, and they bound what one request makes the storage keep.
constexpr std::size_t k_max_id_bytes = 256;
constexpr std::size_t k_max_metadata_bytes = 4096;
// --last and --summarize: at most this many samples or buckets per series.
constexpr long long k_max_count = 1000000;

const char* reason_phrase(int status)
{
    switch (status) {
    case 400: return "bad request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 409: return "conflict";
    case 413: return "payload too large";
    case 414: return "URI too long";
    case 415: return "unsupported media type";
    case 429: return "too many requests";
    case 500: return "internal server error";
    default: return "error";
    }
}

/// A request the API refuses: the status and the message of its error document.
struct HttpError : std::runtime_error
{
    HttpError(int status_, const std::string& message,
              std::vector<std::pair<std::string, std::string>> headers_ = {})
        : std::runtime_error(message), status(status_), headers(std::move(headers_))
    {
    }
    int status;
    std::vector<std::pair<std::string, std::string>> headers;
};

[[noreturn]] void fail(int status, const std::string& message)
{
    throw HttpError(status, message);
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Percent-decoding (and '+' as a space in a query); a broken escape is a bad request.
std::string decode(std::string_view text, bool plus_is_space)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
            const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
            if (high < 0 || low < 0) {
                fail(400, "bad percent-encoding in the request target");
            }
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

bool has_control(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

using Query = std::vector<std::pair<std::string, std::string>>;

/// The request target split: decoded path segments (no empty ones but for "/") and the query.
struct Target
{
    std::vector<std::string> segments;
    Query query;
};

Target parse_target(const std::string& target)
{
    Target out;
    const auto question = target.find('?');
    const std::string_view path = std::string_view(target).substr(0, question);
    if (path.empty() || path.front() != '/') {
        fail(400, "the request target is not a path");
    }
    std::size_t start = 1;
    while (start <= path.size()) {
        const auto slash = std::min(path.find('/', start), path.size());
        const std::string_view raw = path.substr(start, slash - start);
        // A trailing slash is the same resource; an empty segment inside is not a path of ours.
        if (raw.empty() && slash < path.size()) {
            fail(404, "no such resource: " + std::string(path));
        }
        if (!raw.empty()) {
            out.segments.push_back(decode(raw, false));
        }
        start = slash + 1;
    }
    if (question != std::string::npos) {
        std::string_view query = std::string_view(target).substr(question + 1);
        while (!query.empty()) {
            const auto amp = std::min(query.find('&'), query.size());
            const std::string_view pair = query.substr(0, amp);
            if (!pair.empty()) {
                const auto eq = pair.find('=');
                out.query.emplace_back(
                    decode(pair.substr(0, eq), true),
                    eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1), true));
            }
            query.remove_prefix(std::min(amp + 1, query.size()));
        }
    }
    return out;
}

std::string experiment_id(const std::string& segment)
{
    if (segment.size() > k_max_id_bytes) {
        fail(400, "invalid experiment id: longer than " + std::to_string(k_max_id_bytes) +
                      " bytes");
    }
    if (has_control(segment)) {
        fail(400, "invalid experiment id: it holds a control character");
    }
    return segment;
}

long long whole_number(const std::string& text, const std::string& what, long long min, long long max)
{
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
        value > max) {
        fail(400, what + ": expected a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", got '" + escape_control(text) + "'");
    }
    return value;
}

long long trial_id(const std::string& text)
{
    return whole_number(text, "trial id", 1, std::numeric_limits<std::int64_t>::max());
}

/// The query parameters of one endpoint: each known one at most once, except `repeatable`.
class Params
{
public:
    Params(const Query& query,
           std::initializer_list<const char*> known,
           std::initializer_list<const char*> repeatable = {})
    {
        const std::vector<std::string> names(known.begin(), known.end());
        const std::set<std::string> many(repeatable.begin(), repeatable.end());
        for (const auto& [name, value] : query) {
            if (std::find(names.begin(), names.end(), name) == names.end()) {
                std::string list;
                for (const auto& n : names) {
                    list += (list.empty() ? "" : ", ") + n;
                }
                fail(400, "unknown parameter '" + escape_control(name) + "'" +
                              did_you_mean(name, names) +
                              (list.empty() ? "; this endpoint takes none"
                                            : "; this endpoint takes " + list));
            }
            auto& values = m_values[name];
            if (!values.empty() && many.count(name) == 0) {
                fail(400, "parameter '" + name + "' given more than once");
            }
            values.push_back(value);
        }
    }

    [[nodiscard]] std::optional<std::string> get(const std::string& name) const
    {
        const auto it = m_values.find(name);
        return it == m_values.end() ? std::nullopt : std::optional(it->second.front());
    }
    [[nodiscard]] std::vector<std::string> all(const std::string& name) const
    {
        const auto it = m_values.find(name);
        return it == m_values.end() ? std::vector<std::string>() : it->second;
    }
    [[nodiscard]] bool flag(const std::string& name, bool fallback) const
    {
        const auto value = get(name);
        if (!value) {
            return fallback;
        }
        if (*value == "true" || *value == "1") {
            return true;
        }
        if (*value == "false" || *value == "0") {
            return false;
        }
        fail(400, name + ": expected true or false, got '" + escape_control(*value) + "'");
    }

private:
    std::map<std::string, std::vector<std::string>> m_values;
};

// 50 as "50", 2.5 as "2.5".
std::string number_text(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

ApiResponse json_response(const Json& document, int status = 200)
{
    ApiResponse response;
    response.status = status;
    response.body = json_dump(document, 2) + "\n";
    return response;
}

// A name for a downloaded file: the experiment id with anything but letters, digits, '.',
// '-' and '_' replaced, so that the header cannot be broken out of.
std::string file_stem(const std::string& exp_id)
{
    std::string stem;
    for (const char c : exp_id.substr(0, 64)) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        stem += plain ? c : '_';
    }
    return stem.empty() || stem.front() == '.' ? "experiment" + stem : stem;
}

// What a ConfigError from the results layer means for the client.
int config_error_status(const ConfigError& e)
{
    const std::string& message = e.message();
    if (message.rfind("unknown experiment", 0) == 0 || message.rfind("unknown trial", 0) == 0) {
        return 404;
    }
    return 400;
}

} // namespace

ApiResponse api_error(int status, const std::string& message)
{
    Json error = {{"status", status},
                  {"reason", reason_phrase(status)},
                  {"message", message.empty() ? std::string(reason_phrase(status)) : message}};
    return json_response(Json{{"error", error}}, status);
}

struct Api::State
{
    State(StorageSpec spec_, ApiOptions options_)
        : spec(std::move(spec_)),
          options(std::move(options_)),
          reader(open_storage_reader(spec)),
          limiter(options.rate_limit)
    {
        // Opening a PostgreSQL storage may set PGPASSWORD for this process: done now, before
        // any thread serves, rather than at the first write. A SQLite file is opened for
        // writing only when a write comes, so that a file one may only read is served too.
        if (spec.drivername != "sqlite") {
            writer = open_storage(spec);
        }
    }

    Storage& storage()
    {
        const std::lock_guard lock(writer_mutex);
        if (!writer) {
            writer = open_storage(spec);
        }
        return *writer;
    }

    ApiResponse route(const ApiRequest& request);
    void authorize(const ApiRequest& request, bool write) const;

    ApiResponse index() const;
    ApiResponse experiment(const std::string& exp_id) const;
    ApiResponse metrics(const std::string& exp_id,
                        const Params& params,
                        std::optional<long long> trial) const;
    ApiResponse export_table(const std::string& exp_id, const Params& params) const;
    ApiResponse post_metric(const std::string& exp_id, long long trial, const std::string& body);
    ApiResponse delete_experiment(const std::string& exp_id);

    StorageSpec spec;
    ApiOptions options;
    ResultsReader reader;
    detail::RateLimiter limiter;
    std::mutex writer_mutex;
    std::unique_ptr<Storage> writer;
};

namespace {

// The methods a resource answers; another one is 405 naming them.
void allow(const ApiRequest& request, std::initializer_list<const char*> methods)
{
    std::string list;
    for (const char* m : methods) {
        if (request.method == m || (request.method == "HEAD" && std::string(m) == "GET")) {
            return;
        }
        list += (list.empty() ? "" : ", ") + std::string(m);
    }
    throw HttpError(405, "method " + request.method + " not allowed here; allowed: " + list,
                    {{"Allow", list}});
}

ApiResponse asset(const std::string& content_type, std::string body)
{
    ApiResponse response;
    response.content_type = content_type;
    response.body = std::move(body);
    return response;
}

} // namespace

void Api::State::authorize(const ApiRequest& request, bool write) const
{
    if (!write && !options.reads_need_token) {
        return;
    }
    const std::string_view given = bearer_token(request.authorization);
    if (given.empty()) {
        throw HttpError(401,
                        std::string(write ? "writing" : "reading") +
                            " needs the server's token: send 'Authorization: Bearer TOKEN' (the "
                            "token serve printed at start, or its --token)",
                        {{"WWW-Authenticate", "Bearer"}});
    }
    if (!api_tokens_equal(given, options.token)) {
        fail(403, "wrong token");
    }
}

ApiResponse Api::State::index() const
{
    return json_response({{"api", "v1"},
                          {"mlosbench", MLOSBENCH_VERSION},
                          {"storage", spec.location()},
                          {"reads_need_token", options.reads_need_token},
                          {"writes_need_token", true},
                          {"endpoints",
                           {"GET /api/v1/experiments", "GET /api/v1/experiments/{exp}",
                            "DELETE /api/v1/experiments/{exp}",
                            "GET /api/v1/experiments/{exp}/trials/{trial}",
                            "GET /api/v1/experiments/{exp}/metrics",
                            "GET /api/v1/experiments/{exp}/export",
                            "GET /api/v1/experiments/{exp}/trials/{trial}/metrics",
                            "POST /api/v1/experiments/{exp}/trials/{trial}/metrics"}}});
}

ApiResponse Api::State::experiment(const std::string& exp_id) const
{
    return json_response({{"experiment", reader.experiment(exp_id)},
                          {"trials", reader.trials(exp_id)},
                          {"workers", reader.workers(exp_id)}});
}

ApiResponse Api::State::metrics(const std::string& exp_id,
                                const Params& params,
                                std::optional<long long> trial) const
{
    MetricsQuery query;
    query.trial_id = trial;
    if (const auto t = params.get("trial")) {
        query.trial_id = trial_id(*t);
    }
    for (const auto& m : params.all("metric")) {
        if (m.empty() || m.size() > k_max_id_bytes) {
            fail(400, "metric: expected a metric name, got '" + escape_control(m) + "'");
        }
        query.metrics.push_back(m);
    }
    if (const auto since = params.get("since")) {
        query.since = parse_time_argument(*since, "since");
    }
    if (const auto last = params.get("last")) {
        query.last = static_cast<std::size_t>(whole_number(*last, "last", 1, k_max_count));
    }
    if (const auto summarize = params.get("summarize")) {
        query.summarize =
            static_cast<std::size_t>(whole_number(*summarize, "summarize", 1, k_max_count));
    }
    query.include_results = params.flag("results", true);
    return json_response(
        {{"metrics", metric_samples_json(select_metrics(reader, exp_id, query),
                                         query.summarize.has_value())}});
}

ApiResponse Api::State::export_table(const std::string& exp_id, const Params& params) const
{
    const std::string format = params.get("format").value_or("csv");
    if (format != "csv" && format != "json" && format != "zip") {
        fail(400, "format: expected csv, json or zip, got '" + escape_control(format) + "'");
    }
    const std::string table = params.get("table").value_or("results");
    if (table != "results" && table != "telemetry") {
        fail(400, "table: expected results or telemetry, got '" + escape_control(table) + "'");
    }
    if (format == "zip" && params.get("table")) {
        fail(400, "table: a zip archive holds both tables; leave table out");
    }
    ApiResponse response;
    const std::string stem = file_stem(exp_id);
    if (format == "zip") {
        const ExportFormat inner =
            params.get("contents").value_or("csv") == "json" ? ExportFormat::json : ExportFormat::csv;
        response.content_type = "application/zip";
        response.body = zip_archive_bytes(export_archive_entries(reader, exp_id, inner));
        response.headers.emplace_back("Content-Disposition",
                                      "attachment; filename=\"" + stem + ".zip\"");
        return response;
    }
    const ExportFormat f = format == "csv" ? ExportFormat::csv : ExportFormat::json;
    response.content_type = f == ExportFormat::csv ? "text/csv; charset=utf-8" : "application/json";
    response.body = table == "results" ? export_results(reader, exp_id, f)
                                       : export_telemetry(reader, exp_id, f);
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + stem + "-" +
                                                             table + "." + format + "\"");
    return response;
}

ApiResponse Api::State::post_metric(const std::string& exp_id, long long trial, const std::string& body)
{
    const Json detail = reader.trial(exp_id, trial);
    const auto status = parse_status(detail.at("status").get<std::string>());
    if (status && is_completed(*status)) {
        fail(409, "trial " + std::to_string(trial) + " of experiment '" + exp_id + "' has ended (" +
                      detail.at("status").get<std::string>() +
                      "): metrics are posted while a trial runs");
    }
    Json document = Json::parse(body, nullptr, false);
    if (document.is_discarded()) {
        fail(400, "the body is not valid JSON (numbers beyond a double included); send an "
                  "object such as {\"name\": \"loss\", \"value\": 0.25}");
    }
    if (!document.is_object()) {
        fail(400, "the body must be a JSON object such as {\"name\": \"loss\", \"value\": 0.25}");
    }
    static const std::vector<std::string> k_keys = {"name", "value", "cumulative", "metadata",
                                                    "time"};
    for (const auto& [key, unused] : document.items()) {
        if (std::find(k_keys.begin(), k_keys.end(), key) == k_keys.end()) {
            fail(400, "unknown key '" + escape_control(key) + "' in the body" +
                          did_you_mean(key, k_keys) +
                          "; it takes name, value, cumulative, metadata, time");
        }
    }
    const Json& name = document.contains("name") ? document["name"] : Json();
    if (!name.is_string() || name.get<std::string>().empty() ||
        name.get<std::string>().size() > k_max_id_bytes || has_control(name.get<std::string>())) {
        fail(400, "name: expected a metric name (text of 1 to " + std::to_string(k_max_id_bytes) +
                      " bytes without control characters)");
    }
    Json value = document.contains("value") ? document["value"] : Json();
    if (!value.is_number() || (value.is_number_float() && !std::isfinite(value.get<double>())) ||
        (value.is_number_unsigned() &&
         value.get<std::uint64_t>() >
             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
        fail(400, "value: expected a finite number, got " + json_dump(value));
    }
    if (value.is_number_unsigned()) {
        value = static_cast<std::int64_t>(value.get<std::uint64_t>());
    }
    bool cumulative = false;
    if (document.contains("cumulative")) {
        if (!document["cumulative"].is_boolean()) {
            fail(400, "cumulative: expected true or false");
        }
        cumulative = document["cumulative"].get<bool>();
    }
    std::optional<std::string> metadata;
    if (document.contains("metadata") && !document["metadata"].is_null()) {
        if (!document["metadata"].is_string() ||
            document["metadata"].get<std::string>().size() > k_max_metadata_bytes) {
            fail(400, "metadata: expected text of at most " +
                          std::to_string(k_max_metadata_bytes) + " bytes");
        }
        metadata = document["metadata"].get<std::string>();
    }
    Timestamp time = now();
    if (document.contains("time")) {
        if (!document["time"].is_string()) {
            fail(400, "time: expected an ISO 8601 time such as 2025-01-02T03:04:05Z");
        }
        time = parse_time_argument(document["time"].get<std::string>(), "time");
    }
    const auto records = storage().attach_experiment(exp_id);
    const TelemetrySample stored = records->post_telemetry(
        trial, TelemetrySample{time, name.get<std::string>(), value}, cumulative, metadata,
        document.contains("time") ? PostTime::as_given : PostTime::when_recorded);
    return json_response({{"exp_id", exp_id},
                          {"trial_id", trial},
                          {"ts", format_iso8601(stored.time)},
                          {"metric", stored.metric},
                          {"value", stored.value},
                          {"cumulative", cumulative},
                          {"metadata", metadata ? Json(*metadata) : Json(nullptr)}},
                         201);
}

ApiResponse Api::State::delete_experiment(const std::string& exp_id)
{
    reader.require_experiment(exp_id);
    DeletedRows deleted;
    try {
        deleted = storage().delete_experiment(exp_id, false);
    } catch (const ConfigError& e) {
        // It exists (checked above): the storage refuses because its driver still runs.
        fail(409, e.message());
    }
    Json counts = Json::object();
    for (const auto& [table, count] : deleted) {
        counts[table] = count;
    }
    return json_response({{"exp_id", exp_id}, {"deleted", counts}});
}

ApiResponse Api::State::route(const ApiRequest& request)
{
    // The Host header's name, without the port ("[::1]:8080" -> "[::1]"): the port may differ
    // behind a forwarded port, the name is what a rebinding attack changes.
    std::string host = request.host;
    const auto colon = host.rfind(':');
    if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
        host.resize(colon);
    }
    if (!options.allowed_hosts.empty() &&
        std::find(options.allowed_hosts.begin(), options.allowed_hosts.end(), host) ==
            options.allowed_hosts.end()) {
        fail(403, "Host '" + escape_control(request.host) +
                      "' is not this server's name (a page of another site reaching a "
                      "loopback server through its own DNS name is refused); use " +
                      options.allowed_hosts.front() + " or localhost");
    }
    if (!limiter.allow(request.remote_addr)) {
        throw HttpError(429,
                        "more than " + number_text(options.rate_limit) +
                            " requests per second from " + request.remote_addr + "; slow down",
                        {{"Retry-After", "1"}});
    }
    if (request.body.size() > options.max_body_bytes) {
        fail(413, "request body larger than " + std::to_string(options.max_body_bytes) + " bytes");
    }
    const Target target = parse_target(request.target);
    const auto& s = target.segments;
    const auto not_found = [&]() -> ApiResponse {
        fail(404, "no such resource: " + escape_control(request.target.substr(
                                             0, request.target.find('?'))));
    };
    // The dashboard (no data in it: it reads the API like any client).
    if (s.empty() || (s.size() == 1 && s[0] == "index.html")) {
        allow(request, {"GET"});
        ApiResponse page = asset("text/html; charset=utf-8", detail::dashboard_html());
        page.headers.emplace_back("Content-Security-Policy",
                                  "default-src 'none'; script-src 'self'; style-src 'self'; "
                                  "connect-src 'self'; img-src 'self' data:; "
                                  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        return page;
    }
    if (s[0] == "static" && s.size() == 2) {
        allow(request, {"GET"});
        if (s[1] == "dashboard.js") {
            return asset("text/javascript; charset=utf-8", detail::dashboard_js());
        }
        if (s[1] == "dashboard.css") {
            return asset("text/css; charset=utf-8", detail::dashboard_css());
        }
        if (s[1] == "chart.js" && !options.chart_js.empty()) {
            return asset("text/javascript; charset=utf-8", options.chart_js);
        }
        return not_found();
    }
    if (s.size() < 2 || s[0] != "api" || s[1] != "v1") {
        if (s[0] == "api") {
            fail(404, "no such resource: this server's API is /api/v1/");
        }
        return not_found();
    }
    if (s.size() == 2) {
        allow(request, {"GET"});
        authorize(request, false);
        (void)Params(target.query, {});
        return index();
    }
    if (s[2] != "experiments") {
        return not_found();
    }
    if (s.size() == 3) {
        allow(request, {"GET"});
        authorize(request, false);
        (void)Params(target.query, {});
        return json_response({{"experiments", reader.experiments()}});
    }
    const std::string exp_id = experiment_id(s[3]);
    if (s.size() == 4) {
        allow(request, {"GET", "DELETE"});
        const bool write = request.method == "DELETE";
        authorize(request, write);
        (void)Params(target.query, {});
        return write ? delete_experiment(exp_id) : experiment(exp_id);
    }
    if (s.size() == 5 && s[4] == "metrics") {
        allow(request, {"GET"});
        authorize(request, false);
        return metrics(exp_id,
                       Params(target.query, {"trial", "metric", "since", "last", "summarize",
                                             "results"},
                              {"metric"}),
                       std::nullopt);
    }
    if (s.size() == 5 && s[4] == "export") {
        allow(request, {"GET"});
        authorize(request, false);
        return export_table(exp_id, Params(target.query, {"format", "table", "contents"}));
    }
    if (s[4] != "trials" || s.size() < 6 || s.size() > 7 || (s.size() == 7 && s[6] != "metrics")) {
        return not_found();
    }
    const long long trial = trial_id(s[5]);
    if (s.size() == 6) {
        allow(request, {"GET"});
        authorize(request, false);
        (void)Params(target.query, {});
        return json_response(reader.trial(exp_id, trial));
    }
    allow(request, {"GET", "POST"});
    if (request.method == "POST") {
        authorize(request, true);
        (void)Params(target.query, {});
        return post_metric(exp_id, trial, request.body);
    }
    authorize(request, false);
    (void)reader.trial(exp_id, trial); // 404 for an unknown trial before any parameter
    return metrics(exp_id,
                   Params(target.query, {"metric", "since", "last", "summarize", "results"},
                          {"metric"}),
                   trial);
}

Api::Api(StorageSpec storage, ApiOptions options)
    : m_state(std::make_unique<State>(std::move(storage), std::move(options)))
{
}

Api::~Api() = default;

std::string Api::storage_location() const { return m_state->spec.location(); }

ApiResponse Api::handle(const ApiRequest& request) const
{
    ApiResponse response;
    try {
        response = m_state->route(request);
    } catch (const HttpError& e) {
        response = api_error(e.status, e.what());
        response.headers.insert(response.headers.end(), e.headers.begin(), e.headers.end());
    } catch (const ConfigError& e) {
        response = api_error(config_error_status(e), e.what());
    } catch (const std::exception& e) {
        spdlog::warn("{} {}: {}", request.method, escape_control(request.target), e.what());
        response = api_error(500, e.what());
    }
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    return response;
}

} // namespace mlosbench
