#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// Secret values to hide from whatever is shown, logged or stored: every occurrence of one in
/// a text becomes "***", so a value built from a secret (a DSN, a command line) is masked as
/// the secret is. Values shorter than k_min_secret_length are not masked (they would hide
/// unrelated text).
class SecretMask
{
public:
    static constexpr std::size_t k_min_secret_length = 4;

    /// Adds a secret; too short or already known ones are ignored.
    void add(std::string_view value);
    [[nodiscard]] bool empty() const { return m_values.empty(); }
    /// `text` with every occurrence of a secret replaced by "***" (longest secrets first).
    [[nodiscard]] std::string apply(std::string text) const;

private:
    std::vector<std::string> m_values; ///< longest first
};

} // namespace mlosbench
