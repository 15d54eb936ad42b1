#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace mlosbench::testing {

RunningCommand start_mlosbench(const std::vector<std::string>& args, const fs::path& cwd,
                               const fs::path& capture_dir, const std::vector<std::string>& env);

TempDir::TempDir()
{
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        const fs::path candidate =
            fs::temp_directory_path() / ("mlosbench-test-" + std::to_string(rd()));
        if (fs::create_directory(candidate)) {
            m_path = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(m_path, ec);
}

fs::path TempDir::write(const std::string& relative, const std::string& text) const
{
    const fs::path target = m_path / relative;
    fs::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary);
    out << text;
    return target;
}

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

bool is_running(int pid)
{
    if (pid <= 0 || ::kill(pid, 0) != 0) {
        return false;
    }
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto name_end = stat.rfind(')');
    if (name_end == std::string::npos) {
        return false; // gone between the two looks
    }
    // After "pid (name) ": state ppid pgrp session tty_nr tpgid flags ...
    std::istringstream fields(stat.substr(name_end + 1));
    std::string state;
    std::array<long long, 5> skipped{};
    unsigned long flags = 0;
    fields >> state >> skipped[0] >> skipped[1] >> skipped[2] >> skipped[3] >> skipped[4] >> flags;
    constexpr unsigned long k_pf_exiting = 0x4;
    return state != "Z" && state != "X" && (flags & k_pf_exiting) == 0;
}

int free_tcp_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string host_name()
{
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0) {
        ADD_FAILURE() << "gethostname failed";
    }
    return name.data();
}

int read_pid(const fs::path& path)
{
    const std::string text = read_file(path);
    EXPECT_FALSE(text.empty()) << path;
    return text.empty() ? -1 : std::stoi(text);
}

fs::path tests_dir() { return MLOSBENCH_TESTS_DIR; }

std::string e2e_config(const std::string& name)
{
    return (tests_dir() / "e2e" / "configs" / name).string();
}

fs::path acceptance_dir() { return fs::weakly_canonical(MLOSBENCH_ACCEPTANCE_DIR); }

namespace {

// Starts `argv` (execvp) with stdout/stderr captured under `capture_dir`.
RunningCommand start_process(const std::vector<std::string>& argv, const fs::path& cwd,
                             const fs::path& capture_dir, const std::vector<std::string>& env)
{
    RunningCommand command;
    command.out_path = capture_dir / "stdout";
    command.err_path = capture_dir / "stderr";
    const pid_t pid = fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        const int out_fd = ::open(command.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err_fd = ::open(command.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        ::dup2(null_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
            _exit(127);
        }
        for (const auto& entry : env) {
            ::putenv(const_cast<char*>(entry.c_str())); // NOLINT: child process only
        }
        std::vector<std::string> copies = argv;
        std::vector<char*> pointers;
        for (auto& arg : copies) {
            pointers.push_back(arg.data());
        }
        pointers.push_back(nullptr);
        ::execvp(pointers[0], pointers.data());
        _exit(127);
    }
    command.pid = pid;
    return command;
}

} // namespace

std::string mlosbench_binary() { return MLOSBENCH_BINARY; }

RunningCommand start_mlosbench(const std::vector<std::string>& args, const fs::path& cwd,
                               const fs::path& capture_dir, const std::vector<std::string>& env)
{
    std::vector<std::string> argv = {MLOSBENCH_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return start_process(argv, cwd, capture_dir, env);
}

CommandResult run_command(const std::vector<std::string>& argv, const fs::path& cwd)
{
    TempDir capture;
    return wait_for(start_process(argv, cwd, capture.path(), {}));
}

RunningCommand start_mlosbench(const std::vector<std::string>& args, const fs::path& cwd,
                               const fs::path& capture_dir)
{
    return start_mlosbench(args, cwd, capture_dir, {});
}

CommandResult wait_for(const RunningCommand& command)
{
    int status = 0;
    ::waitpid(command.pid, &status, 0);
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_file(command.out_path);
    result.err = read_file(command.err_path);
    return result;
}

CommandResult run_mlosbench(const std::vector<std::string>& args, const fs::path& cwd,
                            const std::vector<std::string>& env)
{
    TempDir capture;
    return wait_for(start_mlosbench(args, cwd, capture.path(), env));
}

CommandResult run_mlosbench_on_terminal(const std::vector<std::string>& args,
                                        const fs::path& cwd,
                                        const std::vector<std::string>& env,
                                        int columns)
{
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        throw std::runtime_error("cannot open a pseudo-terminal");
    }
    const std::string slave_name = ::ptsname(master);
    winsize size{};
    size.ws_row = 50;
    size.ws_col = static_cast<unsigned short>(columns);
    ::ioctl(master, TIOCSWINSZ, &size);
    TempDir capture;
    const fs::path out_path = capture.path() / "stdout";
    std::vector<std::string> argv = {MLOSBENCH_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    const pid_t pid = fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::setsid(); // the terminal becomes the child's controlling terminal
        const int slave = ::open(slave_name.c_str(), O_RDWR);
        termios mode{};
        ::tcgetattr(slave, &mode);
        mode.c_oflag &= ~static_cast<tcflag_t>(OPOST);
        ::tcsetattr(slave, TCSANOW, &mode);
        const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        ::dup2(null_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(slave, 2);
        ::close(master);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
            _exit(127);
        }
        for (const auto& entry : env) {
            ::putenv(const_cast<char*>(entry.c_str())); // NOLINT: child process only
        }
        std::vector<char*> pointers;
        for (auto& arg : argv) {
            pointers.push_back(arg.data());
        }
        pointers.push_back(nullptr);
        ::execv(pointers[0], pointers.data());
        _exit(127);
    }
    // The terminal is read until its last writer is gone (read fails with EIO).
    CommandResult result;
    std::array<char, 4096> buffer{};
    while (true) {
        const ssize_t n = ::read(master, buffer.data(), buffer.size());
        if (n > 0) {
            result.err.append(buffer.data(), static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_file(out_path);
    return result;
}

std::string nested_json(std::size_t depth, const std::string& open, const std::string& close)
{
    std::string text;
    text.reserve(depth * (open.size() + close.size()));
    for (std::size_t i = 0; i < depth; ++i) {
        text += open;
    }
    for (std::size_t i = 0; i < depth; ++i) {
        text += close;
    }
    return text;
}

bool wait_until(const std::function<bool()>& done, double seconds)
{
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

bool wait_for_file(const fs::path& path, double seconds)
{
    return wait_until([&] { return fs::exists(path); }, seconds);
}

bool wait_for_text(const fs::path& path, const std::string& text, double seconds)
{
    return wait_until(
        [&] { return fs::exists(path) && read_file(path).find(text) != std::string::npos; },
        seconds);
}

} // namespace mlosbench::testing
