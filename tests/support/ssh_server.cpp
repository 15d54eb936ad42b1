#include "support/ssh_server.hpp"

#include "mlosbench/util/process.hpp"
#include "mlosbench/util/strings.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;

namespace mlosbench::testing {
namespace {

constexpr const char* k_sshd = "/usr/sbin/sshd";

void run(const std::string& command)
{
    ProcessOptions options;
    options.command = command;
    options.env = current_environment();
    options.timeout_seconds = 60;
    const ProcessResult result = run_process(options);
    if (result.exit_code != 0) {
        throw std::runtime_error("'" + command + "' failed (" + std::to_string(result.exit_code) +
                                 "): " + result.err);
    }
}

void write(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Connects to 127.0.0.1:port and reads the server's "SSH-" banner within `timeout_ms`.
bool banner_seen(int port, int timeout_ms)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool seen = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        pollfd p{fd, POLLIN, 0};
        std::array<char, 4> buffer{};
        seen = ::poll(&p, 1, timeout_ms) > 0 && ::recv(fd, buffer.data(), 4, MSG_WAITALL) == 4 &&
               std::string(buffer.data(), 4) == "SSH-";
    }
    ::close(fd);
    return seen;
}

} // namespace

void generate_ssh_key(const fs::path& path)
{
    run("ssh-keygen -q -t ed25519 -N '' -C mlosbench-test -f " + shell_quote(path.string()));
}

int SshServer::free_port() { return free_tcp_port(); }

SshServer::SshServer()
{
    if (::access(k_sshd, X_OK) != 0) {
        throw std::runtime_error(std::string(k_sshd) +
                                 " not found: install openssh-server (scripts/setup.sh does)");
    }
    generate_ssh_key(dir() / "host_key");
    generate_ssh_key(user_key());
    fs::copy_file(dir() / "user_key.pub", dir() / "authorized_keys");
    if (::geteuid() == 0) {
        // sshd's privilege separation directory, which the Debian service creates at boot.
        fs::create_directories("/run/sshd");
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (start(free_port())) {
            write(known_hosts(), "[" + host() + "]:" + std::to_string(m_port) + " " +
                                     first_line(read_file(dir() / "host_key.pub")) + "\n");
            return;
        }
    }
    throw std::runtime_error("sshd did not start: " + log());
}

bool SshServer::start(int port)
{
    const fs::path config = dir() / "sshd_config";
    write(config, "Port " + std::to_string(port) +
                      "\n"
                      "ListenAddress 127.0.0.1\n"
                      "HostKey " +
                      (dir() / "host_key").string() + "\n" + "PidFile " +
                      (dir() / "sshd.pid").string() + "\n" + "AuthorizedKeysFile " +
                      (dir() / "authorized_keys").string() + "\n" +
                      "StrictModes no\n"
                      "PermitRootLogin yes\n"
                      "UsePAM no\n"
                      "PubkeyAuthentication yes\n"
                      "PasswordAuthentication no\n"
                      "KbdInteractiveAuthentication no\n"
                      "MaxStartups 100\n"
                      "MaxSessions 100\n"
                      "LogLevel ERROR\n"
                      "Subsystem sftp internal-sftp\n"
                      // Debian's bash sources ~/.bashrc for commands run by sshd unless it is
                      // a nested shell: SHLVL=1 keeps a slow .bashrc out of every test command.
                      "SetEnv SHLVL=1\n");
    const std::string log_path = (dir() / "sshd.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string sshd = k_sshd;
    std::string foreground = "-D";
    std::string to_stderr = "-e";
    std::string file_flag = "-f";
    std::string config_path = config.string();
    std::array<char*, 6> argv{sshd.data(),      foreground.data(),  to_stderr.data(),
                              file_flag.data(), config_path.data(), nullptr};
    const int rc = posix_spawn(&m_pid, k_sshd, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error("cannot start sshd: " + std::string(std::strerror(rc)));
    }
    // Ready when it answers with its banner; checked every few milliseconds.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return false; // exited: e.g. the port was taken meanwhile
        }
        if (banner_seen(port, 1000)) {
            m_port = port;
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
    throw std::runtime_error("sshd did not answer on port " + std::to_string(port) +
                             " within 20 s: " + log());
}

SshServer::~SshServer()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        ::waitpid(m_pid, nullptr, 0);
    }
}

std::string SshServer::user() const
{
    const passwd* entry = ::getpwuid(::geteuid());
    return entry != nullptr ? entry->pw_name : "root";
}

fs::path SshServer::wrong_known_hosts() const
{
    const fs::path other = dir() / "other_host_key";
    if (!fs::exists(other)) {
        generate_ssh_key(other);
    }
    const fs::path path = dir() / "wrong_known_hosts";
    write(path, "[" + host() + "]:" + std::to_string(m_port) + " " +
                    first_line(read_file(dir() / "other_host_key.pub")) + "\n");
    return path;
}

std::string SshServer::log() const { return read_file(dir() / "sshd.log"); }

} // namespace mlosbench::testing
