#include "mlosbench/util/cancel_token.hpp"

#include "mlosbench/util/error.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace mlosbench {

bool CancelToken::requested() const
{
    if (m_fd < 0) {
        return false;
    }
    pollfd fd{m_fd, POLLIN, 0};
    // A pipe whose writer has gone (POLLHUP) counts too: nobody can take it back.
    return ::poll(&fd, 1, 0) == 1 && (fd.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

CancelSource::CancelSource() : m_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_fd < 0) {
        throw Error("cannot create an eventfd for signal handling");
    }
}

CancelSource::~CancelSource() { ::close(m_fd); }

void CancelSource::request() const noexcept
{
    const std::uint64_t one = 1;
    (void)!::write(m_fd, &one, sizeof(one));
}

} // namespace mlosbench
