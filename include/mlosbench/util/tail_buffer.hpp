#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlosbench {

/// The last `cap` bytes of a stream (a command's output, whose end says most). Trimming
/// happens when the buffer reaches twice the cap, so each byte is moved at most once on average.
class TailBuffer
{
public:
    explicit TailBuffer(std::size_t cap) : m_cap(cap) {}

    void append(std::string_view data);
    /// More than `cap` bytes were appended: the start of the stream was cut.
    [[nodiscard]] bool truncated() const { return m_total > m_cap; }
    /// The last `cap` bytes; the buffer is empty afterwards.
    [[nodiscard]] std::string take();

private:
    std::size_t m_cap;
    std::size_t m_total = 0;
    std::string m_data;
};

} // namespace mlosbench
