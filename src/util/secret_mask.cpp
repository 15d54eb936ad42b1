#include "mlosbench/util/secret_mask.hpp"

#include <algorithm>

namespace mlosbench {

void SecretMask::add(std::string_view value)
{
    if (value.size() < k_min_secret_length ||
        std::find(m_values.begin(), m_values.end(), value) != m_values.end()) {
        return;
    }
    // Longest first: a secret that contains another is masked whole.
    const auto at = std::find_if(m_values.begin(), m_values.end(),
                                 [&](const std::string& v) { return v.size() < value.size(); });
    m_values.emplace(at, value);
}

std::string SecretMask::apply(std::string text) const
{
    for (const auto& secret : m_values) {
        for (auto at = text.find(secret); at != std::string::npos;
             at = text.find(secret, at + 3)) {
            text.replace(at, secret.size(), "***");
        }
    }
    return text;
}

} // namespace mlosbench
