#pragma once

namespace mlosbench {

/// Tells what runs that the run is being stopped (SIGINT, SIGTERM). It is a file descriptor
/// that becomes readable for good, so that a process wait, an SSH channel and the scheduler
/// can all poll() for it beside their own descriptors. Cheap to copy; it does not own the fd
/// (a CancelSource does).
class CancelToken
{
public:
    /// A token that is never requested.
    CancelToken() = default;
    /// A token that is requested once `fd` is readable (a pipe's read end, an eventfd).
    explicit CancelToken(int fd) : m_fd(fd) {}

    /// The descriptor to poll for POLLIN; -1 for a token that is never requested.
    [[nodiscard]] int fd() const { return m_fd; }
    /// Whether it has been requested, now (never blocks).
    [[nodiscard]] bool requested() const;

private:
    int m_fd = -1;
};

/// Owns the descriptor behind CancelTokens (an eventfd).
class CancelSource
{
public:
    /// Throws Error when no eventfd can be made.
    CancelSource();
    ~CancelSource();
    CancelSource(const CancelSource&) = delete;
    CancelSource& operator=(const CancelSource&) = delete;
    CancelSource(CancelSource&&) = delete;
    CancelSource& operator=(CancelSource&&) = delete;

    [[nodiscard]] CancelToken token() const { return CancelToken(m_fd); }
    /// Makes every token readable. Async-signal-safe: a signal handler may call it.
    void request() const noexcept;

private:
    int m_fd = -1;
};

} // namespace mlosbench
