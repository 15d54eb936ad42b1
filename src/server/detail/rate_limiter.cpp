#include "server/detail/rate_limiter.hpp"

#include <algorithm>

namespace mlosbench::detail {
namespace {

// Clients whose buckets are kept at most; beyond it, full buckets are forgotten (a client
// with a full bucket loses nothing) so that many addresses cannot grow the map without bound.
constexpr std::size_t k_max_clients = 4096;

} // namespace

bool RateLimiter::allow(const std::string& client, Clock::time_point now)
{
    if (m_rate <= 0) {
        return true;
    }
    const std::lock_guard lock(m_mutex);
    if (m_buckets.size() >= k_max_clients && m_buckets.count(client) == 0) {
        for (auto it = m_buckets.begin(); it != m_buckets.end();) {
            const double idle = std::chrono::duration<double>(now - it->second.updated).count();
            it = it->second.tokens + idle * m_rate >= m_burst ? m_buckets.erase(it) : std::next(it);
        }
        if (m_buckets.size() >= k_max_clients) {
            return false;
        }
    }
    auto [it, added] = m_buckets.try_emplace(client, Bucket{m_burst, now});
    Bucket& bucket = it->second;
    if (!added) {
        const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
        bucket.tokens = std::min(m_burst, bucket.tokens + std::max(0.0, elapsed) * m_rate);
        bucket.updated = now;
    }
    if (bucket.tokens < 1) {
        return false;
    }
    bucket.tokens -= 1;
    return true;
}

} // namespace mlosbench::detail
