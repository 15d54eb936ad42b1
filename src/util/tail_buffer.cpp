#include "mlosbench/util/tail_buffer.hpp"

#include <utility>

namespace mlosbench {

void TailBuffer::append(std::string_view data)
{
    m_total += data.size();
    if (data.size() >= m_cap) {
        m_data.assign(data.substr(data.size() - m_cap));
        return;
    }
    m_data.append(data);
    if (m_data.size() >= 2 * m_cap) {
        m_data.erase(0, m_data.size() - m_cap);
    }
}

std::string TailBuffer::take()
{
    if (m_data.size() > m_cap) {
        m_data.erase(0, m_data.size() - m_cap);
    }
    std::string out = std::move(m_data);
    m_data.clear();
    return out;
}

} // namespace mlosbench
