#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mlosbench::detail {

/// A token bucket per client address: `rate` requests per second on average, bursts of up to
/// twice that (at least 1). Thread-safe. A rate of 0 lets everything through.
class RateLimiter
{
public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimiter(double rate) : m_rate(rate), m_burst(rate * 2 < 1 ? 1 : rate * 2) {}

    /// Takes one request of `client` at `now`; false when its bucket is empty.
    [[nodiscard]] bool allow(const std::string& client, Clock::time_point now = Clock::now());

private:
    struct Bucket
    {
        double tokens = 0;
        Clock::time_point updated;
    };

    double m_rate;
    double m_burst;
    std::mutex m_mutex;
    std::unordered_map<std::string, Bucket> m_buckets;
};

} // namespace mlosbench::detail
