// The dashboard in a real headless Chromium, driven over the DevTools protocol
// (--remote-debugging-pipe): while a run is in progress, the trial count the page shows grows
// as trials finish, read from the DOM, without the page being reloaded.
#include "server/serve_process.hpp"
#include "support/storage_backends.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

extern char** environ;

namespace fs = std::filesystem;
using namespace mlosbench::testing;
using nlohmann::json;

namespace {

/// Headless Chromium with one page, asked to evaluate expressions in it. The protocol runs
/// over two pipes (Chromium reads commands on fd 3 and writes answers on fd 4), messages
/// ending with a NUL byte.
class Chromium
{
public:
    explicit Chromium(const fs::path& profile)
    {
        int to_browser[2];
        int from_browser[2];
        if (::pipe2(to_browser, O_CLOEXEC) != 0 || ::pipe2(from_browser, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe2 failed");
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to_browser[0], 3);
        posix_spawn_file_actions_adddup2(&actions, from_browser[1], 4);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawnattr_t attributes;
        posix_spawnattr_init(&attributes);
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attributes, 0);
        std::vector<std::string> args = {"/usr/bin/chromium",
                                         "--headless",
                                         "--no-sandbox",
                                         "--disable-gpu",
                                         "--no-first-run",
                                         "--disable-background-networking",
                                         "--disable-component-update",
                                         "--disable-sync",
                                         "--remote-debugging-pipe",
                                         "--user-data-dir=" + profile.string(),
                                         "about:blank"};
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        const int rc = posix_spawn(&m_pid, argv[0], &actions, &attributes, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
        ::close(to_browser[0]);
        ::close(from_browser[1]);
        m_write = to_browser[1];
        m_read = from_browser[0];
        if (rc != 0) {
            m_pid = -1;
            throw std::runtime_error("cannot start chromium");
        }
    }

    ~Chromium()
    {
        if (m_pid > 0) {
            ::kill(-m_pid, SIGKILL);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
        ::close(m_write);
        ::close(m_read);
    }
    Chromium(const Chromium&) = delete;
    Chromium& operator=(const Chromium&) = delete;

    /// Opens `url` in a new page and attaches to it.
    void open(const std::string& url)
    {
        const json target = call("Target.createTarget", {{"url", url}});
        const json attached = call("Target.attachToTarget",
                                   {{"targetId", target["targetId"]}, {"flatten", true}});
        m_session = attached["sessionId"];
    }

    /// The value of `expression` in the page (JSON-able; null when it threw).
    json evaluate(const std::string& expression)
    {
        const json result =
            call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, true);
        if (result.contains("exceptionDetails")) {
            return nullptr;
        }
        return result["result"].value("value", json());
    }

private:
    // Sends one command and waits (at most 30 s) for its answer, skipping events.
    json call(const std::string& method, const json& params, bool in_session = false)
    {
        json message = {{"id", ++m_id}, {"method", method}, {"params", params}};
        if (in_session) {
            message["sessionId"] = m_session;
        }
        const std::string text = message.dump() + std::string(1, '\0');
        if (::write(m_write, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            throw std::runtime_error("cannot write to chromium");
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (true) {
            const auto nul = m_buffer.find('\0');
            if (nul != std::string::npos) {
                const json answer = json::parse(m_buffer.substr(0, nul));
                m_buffer.erase(0, nul + 1);
                if (answer.value("id", -1) == m_id) {
                    if (answer.contains("error")) {
                        throw std::runtime_error(method + ": " + answer["error"].dump());
                    }
                    return answer["result"];
                }
                continue;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd fd{m_read, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
                throw std::runtime_error(method + ": no answer from chromium");
            }
            char chunk[65536];
            const ssize_t n = ::read(m_read, chunk, sizeof chunk);
            if (n <= 0) {
                throw std::runtime_error(method + ": chromium closed the pipe");
            }
            m_buffer.append(chunk, static_cast<std::size_t>(n));
        }
    }

    pid_t m_pid = -1;
    int m_write = -1;
    int m_read = -1;
    int m_id = 0;
    std::string m_session;
    std::string m_buffer;
};

TEST(Dashboard, TrialCountGrowsWhileARunIsInProgress)
{
    ASSERT_TRUE(fs::exists("/usr/bin/chromium")) << "the dashboard test needs Chromium (scripts/setup.sh)";
    StorageDatabase db(Backend::sqlite);
    const fs::path dir = db.dir();
    GatedRun run;
    ASSERT_NO_FATAL_FAILURE(run.start(db));
    const auto open_gate = [&](int trial) { run.open_gate(trial); };

    ServeProcess serve;
    serve.start(db.storage_argument());
    ASSERT_TRUE(serve.listening()) << serve.err();

    Chromium browser(dir / "chromium-profile");
    browser.open("http://127.0.0.1:" + std::to_string(serve.port()) + "/?poll=100#/exp/live");
    const auto shown = [&] {
        return browser.evaluate("(document.getElementById('trial-count') || {}).textContent");
    };
    const auto running_shown = [&](int trial) {
        return browser.evaluate("document.querySelector('#running [data-trial=\"" +
                                std::to_string(trial) + "\"]') !== null") == true;
    };
    ASSERT_TRUE(wait_until([&] { return shown() == "0" && running_shown(1); }, 60))
        << shown() << " " << browser.evaluate("document.body.innerText");
    // Marks this page: a reload would lose it.
    browser.evaluate("window.mlosbenchTestMarker = 7");

    open_gate(1);
    ASSERT_TRUE(wait_until([&] { return shown() == "1"; }, 60)) << shown();
    EXPECT_EQ(browser.evaluate("window.mlosbenchTestMarker"), 7);
    EXPECT_EQ(browser.evaluate("document.querySelector('#trials tr[data-trial=\"1\"] td:nth-child(2)').textContent"),
              "SUCCEEDED");

    open_gate(2);
    open_gate(3);
    ASSERT_TRUE(wait_until([&] { return shown() == "3"; }, 60)) << shown();
    EXPECT_EQ(browser.evaluate("window.mlosbenchTestMarker"), 7);
    EXPECT_EQ(browser.evaluate("document.querySelectorAll('#trials tbody tr').length"), 3);
    // The charts were drawn by Chart.js (served from Debian's file): one for the score, one
    // per tunable.
    EXPECT_EQ(browser.evaluate("typeof Chart"), "function");
    EXPECT_GE(browser.evaluate("Object.keys(Chart.instances).length").get<int>(), 2);

    run.finish();
}

} // namespace
