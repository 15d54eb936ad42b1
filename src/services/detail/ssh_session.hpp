#pragma once

#include "mlosbench/services/ssh_host_service.hpp"

#include <libssh/libssh.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace mlosbench::detail {

/// One connected and authenticated libssh session. libssh sessions are not thread-safe:
/// every call on it (and on its channels and SFTP sessions) holds mutex().
class SshSession
{
public:
    /// Connects, checks the host key and authenticates. Throws Error with a message for the
    /// user (cannot connect, host key unknown or changed, authentication failed).
    explicit SshSession(const SshTarget& target);
    ~SshSession();
    SshSession(const SshSession&) = delete;
    SshSession& operator=(const SshSession&) = delete;

    [[nodiscard]] ssh_session get() const { return m_session; }
    [[nodiscard]] std::mutex& mutex() { return m_mutex; }
    [[nodiscard]] const std::string& name() const { return m_name; }
    /// Whether the connection is still up. Call with mutex() held.
    [[nodiscard]] bool alive() const;
    /// Sends a keepalive when the interval passed since the last one. Call with mutex() held.
    void keepalive();

private:
    ssh_session m_session = nullptr;
    std::mutex m_mutex;
    std::string m_name;
    std::optional<std::chrono::steady_clock::duration> m_keepalive;
    std::chrono::steady_clock::time_point m_last_keepalive;
};

/// The shared session of `target`'s user@host:port: the open one, or a new one when there is
/// none or it dropped. Thread-safe. Throws Error as SshSession does.
[[nodiscard]] std::shared_ptr<SshSession> ssh_session_for(const SshTarget& target);

/// Forgets `session` if it is still the shared one of `target` (it dropped): the next
/// ssh_session_for connects again.
void forget_ssh_session(const SshTarget& target, const std::shared_ptr<SshSession>& session);

/// Calls `work` with a locked, open session of `target`. When `work` returns false and the
/// session has dropped (a connection that died while idle), connects again and calls it once
/// more. Returns "" or the connection error.
[[nodiscard]] std::string
with_ssh_session(const SshTarget& target,
                 const std::function<bool(const std::shared_ptr<SshSession>&)>& work);

/// How a remote command ended (see ExecResult).
struct CommandRun
{
    int exit_code = -1;
    bool timed_out = false;
    bool canceled = false;
    std::string error;
    std::string out;
    std::string err;
};

/// Runs `command` on `target` (exec request, no PTY, no stdin), reading its output until it
/// ends, `timeout` seconds pass or `cancel` is requested (then the remote process
/// group is sent TERM and KILL and the channel closed). Output tails are capped at `cap`.
[[nodiscard]] CommandRun run_ssh_command(const SshTarget& target,
                                         const std::string& command,
                                         std::optional<double> timeout,
                                         CancelToken cancel,
                                         std::size_t cap);

} // namespace mlosbench::detail
