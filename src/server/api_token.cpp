#include "mlosbench/server/api_token.hpp"

#include "mlosbench/util/error.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace mlosbench {

std::string generate_api_token()
{
    std::array<unsigned char, 32> bytes{};
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw Error(std::string("cannot make a token: getrandom: ") + std::strerror(errno));
        }
        got += static_cast<std::size_t>(n);
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string token;
    for (const unsigned char b : bytes) {
        token += k_hex[b >> 4U];
        token += k_hex[b & 0xfU];
    }
    return token;
}

bool api_tokens_equal(std::string_view given, std::string_view expected)
{
    // Every byte of `given` is compared (against the expected one, or against itself past
    // the expected's end), and differences are OR-ed together: no early exit.
    unsigned difference = given.size() == expected.size() ? 0U : 1U;
    for (std::size_t i = 0; i < given.size(); ++i) {
        const auto a = static_cast<unsigned char>(given[i]);
        const auto b = i < expected.size() ? static_cast<unsigned char>(expected[i]) : a;
        difference |= static_cast<unsigned>(a ^ b);
    }
    return difference == 0U && !expected.empty();
}

std::string_view bearer_token(std::string_view authorization)
{
    constexpr std::string_view k_scheme = "bearer ";
    if (authorization.size() <= k_scheme.size()) {
        return {};
    }
    for (std::size_t i = 0; i < k_scheme.size(); ++i) {
        const char c = authorization[i];
        if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != k_scheme[i]) {
            return {};
        }
    }
    std::string_view token = authorization.substr(k_scheme.size());
    while (!token.empty() && token.front() == ' ') {
        token.remove_prefix(1);
    }
    while (!token.empty() && token.back() == ' ') {
        token.remove_suffix(1);
    }
    return token;
}

} // namespace mlosbench
