// The pieces of `serve` that need no server: tokens, --bind, the rate limit.
#include "mlosbench/server/api_token.hpp"
#include "mlosbench/server/bind_address.hpp"
#include "mlosbench/util/error.hpp"
#include "server/detail/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace mlosbench;

TEST(ApiToken, GeneratedTokensAre64HexDigitsAndDiffer)
{
    std::set<std::string> tokens;
    for (int i = 0; i < 20; ++i) {
        const std::string token = generate_api_token();
        EXPECT_EQ(token.size(), 64U);
        EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
        tokens.insert(token);
    }
    EXPECT_EQ(tokens.size(), 20U);
}

TEST(ApiToken, ComparesWholeTokens)
{
    EXPECT_TRUE(api_tokens_equal("secret-token-123", "secret-token-123"));
    EXPECT_FALSE(api_tokens_equal("secret-token-124", "secret-token-123"));
    EXPECT_FALSE(api_tokens_equal("Secret-token-123", "secret-token-123"));
    EXPECT_FALSE(api_tokens_equal("secret-token-12", "secret-token-123"));
    EXPECT_FALSE(api_tokens_equal("secret-token-1234", "secret-token-123"));
    EXPECT_FALSE(api_tokens_equal("", "secret-token-123"));
    EXPECT_FALSE(api_tokens_equal("", "")); // no token configured lets nothing in
}

TEST(ApiToken, ReadsBearerHeaders)
{
    EXPECT_EQ(bearer_token("Bearer abc"), "abc");
    EXPECT_EQ(bearer_token("bearer  abc "), "abc");
    EXPECT_EQ(bearer_token("BEARER abc"), "abc");
    EXPECT_EQ(bearer_token("Basic abc"), "");
    EXPECT_EQ(bearer_token("Bearer"), "");
    EXPECT_EQ(bearer_token(""), "");
}

TEST(BindAddress, ParsesHostsAndPorts)
{
    auto a = parse_bind_address("127.0.0.1:8080");
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 8080);
    EXPECT_TRUE(a.is_loopback());
    a = parse_bind_address("[::1]:0");
    EXPECT_EQ(a.host, "::1");
    EXPECT_EQ(a.port, 0);
    EXPECT_TRUE(a.is_loopback());
    EXPECT_EQ(a.authority(9), "[::1]:9");
    a = parse_bind_address("localhost");
    EXPECT_EQ(a.port, 8080);
    EXPECT_TRUE(a.is_loopback());
    EXPECT_TRUE(parse_bind_address("127.1.2.3:1").is_loopback());
    EXPECT_FALSE(parse_bind_address("0.0.0.0:1").is_loopback());
    EXPECT_FALSE(parse_bind_address("192.168.1.5:1").is_loopback());
    EXPECT_FALSE(parse_bind_address("[::]:1").is_loopback());
}

TEST(BindAddress, RefusesWhatIsNoAddress)
{
    const auto message = [](const std::string& text) {
        try {
            (void)parse_bind_address(text);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(message("127.0.0.1:http"), "--bind: expected HOST:PORT such as 127.0.0.1:8080 (the "
                                         "port is 0 to 65535; 0 picks a free one), got "
                                         "'127.0.0.1:http'");
    EXPECT_EQ(message("127.0.0.1:"), "--bind: expected HOST:PORT such as 127.0.0.1:8080 (the "
                                     "port is 0 to 65535; 0 picks a free one), got '127.0.0.1:'");
    EXPECT_EQ(message(":80"), "--bind: expected HOST:PORT such as 127.0.0.1:8080 (the host is an "
                              "IP address or localhost), got ':80'");
    EXPECT_EQ(message("[::1:80"), "--bind: expected HOST:PORT such as 127.0.0.1:8080 (no ']' "
                                  "after an IPv6 address), got '[::1:80'");
    EXPECT_EQ(message("[1.2.3.4]:80"), "--bind: expected HOST:PORT such as 127.0.0.1:8080 "
                                       "('1.2.3.4' is not an IPv6 address), got '[1.2.3.4]:80'");
}

TEST(RateLimiter, AllowsBurstsOfTwiceTheRateThenTheRate)
{
    detail::RateLimiter limiter(2);
    const auto t0 = detail::RateLimiter::Clock::time_point{} + std::chrono::hours(1);
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(limiter.allow("a", t0)) << i;
    }
    EXPECT_FALSE(limiter.allow("a", t0));
    EXPECT_TRUE(limiter.allow("b", t0)); // per client
    EXPECT_FALSE(limiter.allow("a", t0 + std::chrono::milliseconds(400)));
    EXPECT_TRUE(limiter.allow("a", t0 + std::chrono::milliseconds(500)));
    EXPECT_FALSE(limiter.allow("a", t0 + std::chrono::milliseconds(500)));
    // A long pause refills only up to the burst.
    const auto later = t0 + std::chrono::hours(1);
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(limiter.allow("a", later)) << i;
    }
    EXPECT_FALSE(limiter.allow("a", later));
}

TEST(RateLimiter, ZeroMeansNoLimit)
{
    detail::RateLimiter limiter(0);
    for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(limiter.allow("a"));
    }
}
