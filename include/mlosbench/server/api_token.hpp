#pragma once

#include <string>
#include <string_view>

namespace mlosbench {

/// A new random token for `serve` (32 bytes from the kernel's generator, as 64 hex digits).
/// Throws mlosbench::Error when the machine has no randomness to give.
[[nodiscard]] std::string generate_api_token();

/// Whether `given` equals `expected`, in a time that depends only on their lengths, not on
/// where they first differ (so a client cannot find the token byte by byte).
[[nodiscard]] bool api_tokens_equal(std::string_view given, std::string_view expected);

/// The token of an `Authorization: Bearer TOKEN` header value; "" when it has none.
[[nodiscard]] std::string_view bearer_token(std::string_view authorization);

} // namespace mlosbench
