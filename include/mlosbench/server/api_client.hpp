#pragma once

#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace mlosbench {

/// A metric to post to a running `serve` (POST .../trials/{trial}/metrics; see docs/api.md).
struct PostedMetric
{
    std::string exp_id;
    std::int64_t trial_id = 0;
    std::string name;
    Json value;
    bool cumulative = false;
    std::optional<std::string> metadata;
    std::optional<std::string> time; ///< ISO 8601; the server's clock when not given
};

/// `text` as the base URL of a `serve` (`http://HOST:PORT`, a trailing `/` dropped). Throws
/// ConfigError naming `what` (the flag or variable it came from) for anything else.
[[nodiscard]] std::string api_base_url(const std::string& text, const std::string& what);

/// Posts `metric` to the API at `base_url` (`http://HOST:PORT`, as serve printed it) with
/// `token`, and returns the stored sample as the server answered it. Throws ConfigError with
/// the server's message for a refusal (4xx: a wrong token, an unknown or ended trial, a bad
/// value), Error when the server cannot be reached or fails.
Json post_metric_over_http(const std::string& base_url,
                           const std::string& token,
                           const PostedMetric& metric);

} // namespace mlosbench
