#include "services/detail/ssh_session.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/tail_buffer.hpp"

#include <spdlog/spdlog.h>

#include <poll.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace mlosbench::detail {
namespace {

using Clock = std::chrono::steady_clock;

constexpr long k_default_connect_timeout = 30; // seconds
constexpr int k_poll_slice_ms = 50; // other threads may read our channel's data: look again

std::string known_hosts_help(const SshTarget& target, const std::string& file)
{
    return "if the host is the one you expect, accept its key with `ssh-keyscan -p " +
           std::to_string(target.port) + " " + target.host + " >> " + file +
           "`, or set ssh_known_hosts_path to null to turn host key checking off";
}

// Refuses a host whose key is not the one known_hosts has for it.
void check_host_key(ssh_session session, const SshTarget& target, const std::string& name)
{
    if (!target.known_hosts_path) {
        return;
    }
    const std::string& file = *target.known_hosts_path;
    switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
        return;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        throw Error("host key of " + name + " does not match the one in " + file +
                    " (the host's key changed, or another machine answers in its place): "
                    "remove the old entry with `ssh-keygen -R '[" +
                    target.host + "]:" + std::to_string(target.port) + "' -f " + file + "`, then " +
                    known_hosts_help(target, file));
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
        throw Error("host key of " + name + " is not in " + file + ": " +
                    known_hosts_help(target, file));
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        throw Error("cannot check the host key of " + name + " against " + file + ": " +
                    ssh_get_error(session));
    }
}

void authenticate(ssh_session session, const SshTarget& target, const std::string& name)
{
    int rc = SSH_AUTH_DENIED;
    std::string tried;
    if (target.priv_key_path) {
        tried = "key file " + *target.priv_key_path;
        ssh_key key = nullptr;
        if (ssh_pki_import_privkey_file(target.priv_key_path->c_str(), nullptr, nullptr, nullptr,
                                        &key) != SSH_OK) {
            throw Error("cannot read the private key file " + *target.priv_key_path +
                        " (ssh_priv_key_path) for " + name);
        }
        rc = ssh_userauth_publickey(session, nullptr, key);
        ssh_key_free(key);
    } else {
        tried = "ssh-agent and default keys";
        rc = ssh_userauth_publickey_auto(session, nullptr, nullptr);
    }
    if (rc != SSH_AUTH_SUCCESS && target.password) {
        tried += ", password";
        rc = ssh_userauth_password(session, nullptr, target.password->c_str());
    }
    if (rc != SSH_AUTH_SUCCESS) {
        throw Error("authentication failed for " + name + " (tried " + tried +
                    "): " + ssh_get_error(session));
    }
}

struct PoolEntry
{
    std::mutex connect_mutex; // one thread connects to a host at a time
    std::shared_ptr<SshSession> session;
};

struct Pool
{
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<PoolEntry>> entries;
};

Pool& pool()
{
    // Never destroyed: sessions may outlive static destruction order; the OS closes sockets.
    static auto* const instance = new Pool;
    return *instance;
}

std::shared_ptr<PoolEntry> entry_for(const std::string& key)
{
    Pool& p = pool();
    const std::lock_guard lock(p.mutex);
    auto& entry = p.entries[key];
    if (!entry) {
        entry = std::make_shared<PoolEntry>();
    }
    return entry;
}

// The remote login shell announces its pid first thing on stderr; the command keeps it (exec),
// and as sshd made it a session leader, it is also the process group to end on a timeout.
constexpr std::string_view k_pid_marker = "@@mlosbench-pid ";
constexpr std::size_t k_chunk_limit = std::size_t{64} << 10U; // look for it in this much stderr

// Takes the pid announcement out of `err` (it comes first, unless the login shell's own start-up
// printed something before it); 0 until it is complete.
long take_pid(std::string& err)
{
    std::size_t at =
        err.rfind(k_pid_marker, 0) == 0 ? 0 : err.find("\n" + std::string(k_pid_marker));
    if (at == std::string::npos) {
        return 0;
    }
    at += err[at] == '\n' ? 1 : 0;
    const auto end = err.find('\n', at);
    if (end == std::string::npos) {
        return 0;
    }
    long pid = 0;
    try {
        pid = std::stol(err.substr(at + k_pid_marker.size(), end - at - k_pid_marker.size()));
    } catch (const std::exception&) {
        pid = 0;
    }
    err.erase(at, end + 1 - at);
    return pid;
}

} // namespace

SshSession::SshSession(const SshTarget& target) : m_name(target.key())
{
    m_session = ssh_new();
    if (m_session == nullptr) {
        throw Error("cannot create an SSH session for " + m_name);
    }
    try {
        const int port = target.port;
        const long timeout = target.connect_timeout
                                 ? std::max(1L, static_cast<long>(*target.connect_timeout))
                                 : k_default_connect_timeout;
        const bool process_config = false; // the settings say everything; no ~/.ssh/config
        // Commands are a few small packets each (open, exec, EOF): without TCP_NODELAY, Nagle's
        // algorithm holds them back for the peer's delayed ACK (tens of ms per command).
        const int nodelay = 1;
        ssh_options_set(m_session, SSH_OPTIONS_HOST, target.host.c_str());
        ssh_options_set(m_session, SSH_OPTIONS_PORT, &port);
        ssh_options_set(m_session, SSH_OPTIONS_USER, target.username.c_str());
        ssh_options_set(m_session, SSH_OPTIONS_TIMEOUT, &timeout);
        ssh_options_set(m_session, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
        ssh_options_set(m_session, SSH_OPTIONS_NODELAY, &nodelay);
        if (target.known_hosts_path) {
            ssh_options_set(m_session, SSH_OPTIONS_KNOWNHOSTS, target.known_hosts_path->c_str());
        }
        spdlog::debug("ssh: connecting to {}", m_name);
        if (ssh_connect(m_session) != SSH_OK) {
            throw Error("cannot connect to " + m_name + ": " + ssh_get_error(m_session));
        }
        check_host_key(m_session, target, m_name);
        authenticate(m_session, target, m_name);
    } catch (...) {
        ssh_disconnect(m_session);
        ssh_free(m_session);
        throw;
    }
    if (target.keepalive_interval) {
        m_keepalive = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(*target.keepalive_interval));
    }
    m_last_keepalive = Clock::now();
    spdlog::debug("ssh: connected to {}", m_name);
}

SshSession::~SshSession()
{
    ssh_disconnect(m_session);
    ssh_free(m_session);
}

bool SshSession::alive() const { return ssh_is_connected(m_session) != 0; }

void SshSession::keepalive()
{
    if (!m_keepalive || Clock::now() - m_last_keepalive < *m_keepalive) {
        return;
    }
    m_last_keepalive = Clock::now();
    if (ssh_send_ignore(m_session, "keepalive") != SSH_OK) {
        spdlog::debug("ssh: keepalive to {} failed: {}", m_name, ssh_get_error(m_session));
    }
}

std::shared_ptr<SshSession> ssh_session_for(const SshTarget& target)
{
    const auto entry = entry_for(target.key());
    const std::lock_guard connecting(entry->connect_mutex);
    if (entry->session) {
        const std::lock_guard lock(entry->session->mutex());
        if (entry->session->alive()) {
            return entry->session;
        }
        spdlog::info("ssh: connection to {} dropped; connecting again", target.key());
    }
    entry->session.reset(); // the channels still using it keep it alive
    entry->session = std::make_shared<SshSession>(target);
    return entry->session;
}

void forget_ssh_session(const SshTarget& target, const std::shared_ptr<SshSession>& session)
{
    const auto entry = entry_for(target.key());
    const std::lock_guard connecting(entry->connect_mutex);
    if (entry->session == session) {
        entry->session.reset();
    }
}

std::string with_ssh_session(const SshTarget& target,
                             const std::function<bool(const std::shared_ptr<SshSession>&)>& work)
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::shared_ptr<SshSession> session;
        try {
            session = ssh_session_for(target);
        } catch (const Error& e) {
            return e.what();
        }
        bool dropped = false;
        {
            const std::lock_guard lock(session->mutex());
            if (work(session)) {
                return {};
            }
            dropped = !session->alive();
        }
        if (!dropped) {
            return {};
        }
        forget_ssh_session(target, session);
        spdlog::info("ssh: connection to {} dropped; connecting again", target.key());
    }
    return "connection to " + target.key() + " dropped twice in a row";
}

CommandRun run_ssh_command(const SshTarget& target,
                           const std::string& user_command,
                           std::optional<double> timeout,
                           CancelToken cancel,
                           std::size_t cap)
{
    const std::string command = "echo " + std::string(k_pid_marker) + "$$ >&2; " + user_command;
    long remote_pid = 0;
    bool pid_seen = false;
    std::string prelude; // stderr until the pid announcement is taken out of it
    TailBuffer out(cap);
    TailBuffer err(cap);
    CommandRun run;
    const auto start = Clock::now();
    std::shared_ptr<SshSession> session;
    ssh_channel channel = nullptr;
    std::string open_error;
    run.error = with_ssh_session(target, [&](const std::shared_ptr<SshSession>& s) {
        session = s; // the channel belongs to this session: keep it while the command runs
        channel = ssh_channel_new(s->get());
        if (channel != nullptr && ssh_channel_open_session(channel) == SSH_OK) {
            if (ssh_channel_request_exec(channel, command.c_str()) == SSH_OK) {
                ssh_channel_send_eof(channel);
                return true;
            }
        }
        open_error =
            "cannot start a remote command on " + s->name() + ": " + ssh_get_error(s->get());
        if (channel != nullptr) {
            ssh_channel_free(channel);
            channel = nullptr;
        }
        return false;
    });
    if (!run.error.empty()) {
        // An interrupt while connecting is a cancel, whatever the connection did meanwhile.
        if (cancel.requested()) {
            run.canceled = true;
            run.error.clear();
        }
        return run;
    }
    if (channel == nullptr) {
        run.error = open_error;
        return run;
    }
    std::array<char, 16384> buffer{};
    bool eof = false;
    const auto give_up = [&](const char* why) {
        spdlog::debug("ssh: {} on {}: ending the remote command", why, session->name());
        ssh_channel_request_send_signal(channel, "TERM");
    };
    while (true) {
        int fd = -1;
        {
            const std::lock_guard lock(session->mutex());
            for (const int is_stderr : {0, 1}) {
                int n = 0;
                while ((n = ssh_channel_read_nonblocking(channel, buffer.data(), buffer.size(),
                                                         is_stderr)) > 0) {
                    const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
                    if (is_stderr != 0 && !pid_seen) {
                        prelude.append(chunk);
                        remote_pid = take_pid(prelude);
                        pid_seen = remote_pid != 0 || prelude.size() > k_chunk_limit;
                        if (pid_seen) {
                            err.append(prelude);
                        }
                        continue;
                    }
                    (is_stderr != 0 ? err : out).append(chunk);
                }
                if (n == SSH_ERROR || !session->alive()) {
                    run.error = "connection to " + session->name() +
                                " lost while a command ran: " + ssh_get_error(session->get());
                    break;
                }
            }
            if (run.error.empty()) {
                eof = ssh_channel_is_eof(channel) != 0;
                if (!eof) {
                    session->keepalive();
                }
            }
            fd = ssh_get_fd(session->get());
        }
        if (!run.error.empty() || eof) {
            break;
        }
        int wait_ms = k_poll_slice_ms;
        if (timeout) {
            const double left =
                *timeout - std::chrono::duration<double>(Clock::now() - start).count();
            if (left <= 0) {
                run.timed_out = true;
                break;
            }
            wait_ms = std::min(wait_ms, static_cast<int>(left * 1000) + 1);
        }
        std::array<pollfd, 2> fds{pollfd{fd, POLLIN, 0}, pollfd{cancel.fd(), POLLIN, 0}};
        ::poll(fds.data(), fds.size(), wait_ms);
        if (cancel.requested()) {
            run.canceled = true;
            break;
        }
    }
    bool end_group = false;
    {
        const std::lock_guard lock(session->mutex());
        if (run.timed_out || run.canceled) {
            give_up(run.timed_out ? "timeout" : "canceled");
            end_group = remote_pid > 0 && session->alive();
        } else if (run.error.empty()) {
            run.exit_code = ssh_channel_get_exit_status(channel);
        }
        if (session->alive()) {
            ssh_channel_close(channel);
        }
        ssh_channel_free(channel);
    }
    if (!pid_seen) {
        take_pid(prelude);
        err.append(prelude);
    }
    run.out = out.take();
    run.err = err.take();
    if (end_group) {
        // sshd refuses signal requests on some sessions (root logins: "session signalling
        // requires privilege separation"): end the process group from a second command,
        // TERM now and KILL after a grace period, as for local commands.
        const std::string group = "-" + std::to_string(remote_pid);
        const CommandRun kill =
            run_ssh_command(target,
                            "kill -TERM -- " + group + " 2>/dev/null; (sleep 5; kill -KILL -- " +
                                group + ") </dev/null >/dev/null 2>&1 &",
                            10.0, CancelToken{}, cap);
        if (!kill.error.empty()) {
            spdlog::warn("ssh: cannot end the remote command on {}: {}", target.key(), kill.error);
        }
    }
    return run;
}

} // namespace mlosbench::detail
