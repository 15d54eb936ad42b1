#pragma once

#include "mlosbench/services/service_settings.hpp"
#include "support/test_support.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace mlosbench::testing {

/// A private OpenSSH server for tests: `/usr/sbin/sshd -D -e` on 127.0.0.1 and a free port,
/// with a host key, a user key (ed25519, no passphrase), an authorized_keys file and a
/// known_hosts file made for it in a temp dir. The current user logs in with user_key()
/// (root too: PermitRootLogin yes; no PAM, so it also runs unprivileged). Ready when the
/// constructor returns (it waits for the SSH banner); stopped on destruction. Throws
/// std::runtime_error when sshd is missing or does not start (tests fail, never skip).
class SshServer
{
public:
    SshServer();
    ~SshServer();
    SshServer(const SshServer&) = delete;
    SshServer& operator=(const SshServer&) = delete;

    [[nodiscard]] std::string host() const { return "127.0.0.1"; }
    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] pid_t pid() const { return m_pid; }
    [[nodiscard]] std::string user() const;
    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir.path(); }
    [[nodiscard]] std::filesystem::path user_key() const { return dir() / "user_key"; }
    /// known_hosts with this server's host key for [127.0.0.1]:port.
    [[nodiscard]] std::filesystem::path known_hosts() const { return dir() / "known_hosts"; }
    /// SSH service settings that reach this server: its port, the user key, its known_hosts.
    [[nodiscard]] SshSettings ssh_settings() const
    {
        SshSettings settings;
        settings.port = port();
        settings.priv_key_path = user_key().string();
        settings.known_hosts_path = known_hosts().string();
        return settings;
    }
    /// A known_hosts file that names another key for [127.0.0.1]:port.
    [[nodiscard]] std::filesystem::path wrong_known_hosts() const;
    /// What sshd wrote on stderr so far (for failure messages).
    [[nodiscard]] std::string log() const;

    /// A TCP port of 127.0.0.1 that nothing listened on a moment ago.
    [[nodiscard]] static int free_port();

private:
    /// Starts sshd on `port`; returns whether it came up (false: it exited, e.g. port taken).
    bool start(int port);

    TempDir m_dir;
    int m_port = 0;
    pid_t m_pid = -1;
};

/// Generates an ed25519 key pair at `path` (and `path`.pub) with ssh-keygen.
void generate_ssh_key(const std::filesystem::path& path);

} // namespace mlosbench::testing
