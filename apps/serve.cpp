#include "commands.hpp"
#include "launch_flags.hpp"
#include "mlosbench/server/api.hpp"
#include "mlosbench/server/api_token.hpp"
#include "mlosbench/server/bind_address.hpp"
#include "mlosbench/server/http_server.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/file.hpp"
#include "mlosbench/util/strings.hpp"
#include "results_common.hpp"

#include <pthread.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <csignal>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

namespace mlosbench::app {
namespace {

// The shortest token --token takes: a guessable one would defeat the point.
constexpr std::size_t k_min_token_bytes = 16;

std::string checked_token(const std::string& token, const std::string& where)
{
    if (token.size() < k_min_token_bytes) {
        throw ConfigError(where + ": a token has at least " + std::to_string(k_min_token_bytes) +
                          " characters");
    }
    for (const char c : token) {
        if (c <= ' ' || c > '~') {
            throw ConfigError(where + ": a token is printable ASCII without spaces");
        }
    }
    return token;
}

/// Stops the server on SIGINT or SIGTERM. The signals are blocked in every thread (the
/// server's threads inherit the mask of the thread that starts them, this one) and taken by
/// one thread with sigwait(), so nothing runs in a signal handler.
class SignalStop
{
public:
    explicit SignalStop(HttpServer& server) : m_server(server)
    {
        sigemptyset(&m_signals);
        sigaddset(&m_signals, SIGINT);
        sigaddset(&m_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &m_signals, &m_old_mask);
        m_thread = std::thread([this] { wait(); });
    }
    ~SignalStop()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_done_changed.notify_all();
        if (!signaled()) {
            // Wakes the waiting thread: the signal is blocked, so it only ends its sigwait().
            pthread_kill(m_thread.native_handle(), SIGTERM);
        }
        m_thread.join();
        pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
    }
    SignalStop(const SignalStop&) = delete;
    SignalStop& operator=(const SignalStop&) = delete;

    [[nodiscard]] bool signaled() const { return m_signal.load() != 0; }
    [[nodiscard]] int signal() const { return m_signal.load(); }

private:
    void wait()
    {
        int number = 0;
        while (sigwait(&m_signals, &number) != 0) {
        }
        {
            const std::lock_guard lock(m_mutex);
            if (m_done) {
                return;
            }
        }
        m_signal = number;
        // A stop() that comes while the server is still starting is not seen by it: ask
        // again every 0.1 s until run() has returned.
        std::unique_lock lock(m_mutex);
        do {
            m_server.stop();
        } while (!m_done_changed.wait_for(lock, std::chrono::milliseconds(100),
                                          [this] { return m_done; }));
    }

    HttpServer& m_server;
    sigset_t m_signals{};
    sigset_t m_old_mask{};
    std::mutex m_mutex;
    std::condition_variable m_done_changed;
    bool m_done = false;
    std::atomic<int> m_signal{0};
    std::thread m_thread;
};

} // namespace

int serve_command(const std::vector<std::string>& args)
{
    CLI::App app("Serve a live dashboard and a JSON API (/api/v1/...) over the storage: "
                 "experiments, trials, metrics, exports; posting a metric for a running trial "
                 "and deleting an experiment need the token. Listens on loopback unless --bind "
                 "says otherwise (then --token is required and reads need it too). Stops on "
                 "Ctrl-C or SIGTERM. See docs/api.md.",
                 "mlosbench serve");
    std::string storage;
    std::string bind_text = "127.0.0.1:8080";
    std::optional<std::string> token;
    std::optional<std::string> token_file;
    double rate_limit = 50;
    int nice = 10;
    std::optional<std::string> log_level;
    add_storage_flag(app, storage);
    app.add_option("--bind", bind_text,
                   "HOST:PORT to listen on ([::1]:PORT for IPv6; port 0 picks a free one)")
        ->capture_default_str();
    auto* token_option =
        app.add_option("--token", token,
                       "The token writes need (Authorization: Bearer TOKEN), 16 characters or "
                       "more (default: a random one, printed once at start)");
    app.add_option("--token-file", token_file,
                   "Read the token from this file (its first line), kept out of the process "
                   "list")
        ->excludes(token_option);
    app.add_option("--rate-limit", rate_limit,
                   "Requests per second per client address, on average (bursts of twice "
                   "that); 0: no limit")
        ->check(CLI::Validator(
            [](const std::string& text) -> std::string {
                double value = -1;
                try {
                    std::size_t used = 0;
                    value = std::stod(text, &used);
                    if (used != text.size()) {
                        value = -1;
                    }
                } catch (const std::exception&) {
                    value = -1;
                }
                return value >= 0 && value <= 1e6
                           ? std::string()
                           : "expected requests per second from 0 to 1000000, got '" + text + "'";
            },
            "0..1000000"))
        ->capture_default_str();
    app.add_option("--nice", nice,
                   "Lower serve's CPU priority by this much (0 to 19), so that a run on the "
                   "same machine keeps its CPU however many clients read; 0 keeps it")
        ->check(CLI::Range(0, 19))
        ->capture_default_str();
    app.add_option("--log-level,--log_level", log_level,
                   "debug logs every request (client, method, target, status, time)");
    if (parse_args(app, args)) {
        return 0;
    }
    setup_logging(log_level, std::nullopt);
    const BindAddress bind = parse_bind_address(bind_text);
    ApiOptions options;
    if (token) {
        options.token = checked_token(*token, "--token");
    } else if (token_file) {
        std::string text = read_regular_file(*token_file, 4096, "token file");
        text = text.substr(0, text.find('\n'));
        if (!text.empty() && text.back() == '\r') {
            text.pop_back();
        }
        options.token = checked_token(text, "--token-file " + *token_file);
    }
    const bool generated = options.token.empty();
    if (!bind.is_loopback()) {
        if (generated) {
            throw ConfigError("", "--bind",
                              "'" + bind_text +
                                  "' is not a loopback address: other machines could reach "
                                  "the server, so it needs --token (or --token-file), which "
                                  "reads need then too");
        }
        options.reads_need_token = true;
    }
    if (generated) {
        options.token = generate_api_token();
    }
    options.rate_limit = rate_limit;
    try {
        options.chart_js = read_regular_file(MLOSBENCH_CHARTJS_FILE, 16U << 20U, "Chart.js");
    } catch (const FileError& e) {
        spdlog::warn("{}: the dashboard shows its tables without charts (Debian: apt-get "
                     "install libjs-chart.js)",
                     e.what());
    }
    if (bind.is_loopback()) {
        // A page of another site may resolve its own name to 127.0.0.1 (DNS rebinding): the
        // Host header must name this machine.
        options.allowed_hosts = {"127.0.0.1", "localhost", "[::1]", bind.authority(0)};
        options.allowed_hosts.back().resize(options.allowed_hosts.back().rfind(':'));
    }
    // Before any thread starts: on Linux the priority is each thread's, inherited by those
    // a thread starts. A failure (a limit set by the system) only costs the run some CPU.
    errno = 0;
    if (nice > 0 && ::nice(nice) == -1 && errno != 0) {
        spdlog::warn("--nice {}: {}", nice, std::strerror(errno));
    }
    const Api api(results_storage(storage), options);
    HttpServer server(api, options.max_body_bytes);
    const int port = server.bind(bind.host, bind.port);
    bool ok = false;
    int signal = 0;
    {
        const SignalStop stop(server);
        std::cout << "mlosbench serve: storage " << escape_control(api.storage_location()) << "\n";
        if (generated) {
            std::cout << "mlosbench serve: token for writes (shown once; --token sets one): "
                      << options.token << "\n";
        }
        std::cout << "mlosbench serve: listening on http://" << bind.authority(port)
                  << "/ (Ctrl-C stops)" << std::endl;
        ok = server.run();
        signal = stop.signal();
    }
    if (!ok) {
        throw Error("the server on " + bind.authority(port) + " failed");
    }
    std::cout << "mlosbench serve: stopped (" << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ")"
              << std::endl;
    return 0;
}

} // namespace mlosbench::app
