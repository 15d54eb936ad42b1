#pragma once

// A `mlosbench serve` started by a test, and an HTTP client for it.
#include "support/storage_backends.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <httplib.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace mlosbench::testing {

/// The built binary serving `storage` on a port of 127.0.0.1 that it picks itself
/// (`--bind 127.0.0.1:0`), so no other process can take it between a probe and the bind.
/// Started by start(), which waits for its "listening on" line; stop() ends it with a signal.
class ServeProcess
{
public:
    /// Starts `serve --storage STORAGE --bind BIND` and `extra`; returns once it listens (or
    /// has exited: then listening() is false and stop() says why).
    void start(const std::string& storage,
               std::vector<std::string> extra = {},
               const std::string& bind = "127.0.0.1:0")
    {
        std::vector<std::string> args = {"serve", "--storage", storage, "--bind", bind};
        args.insert(args.end(), extra.begin(), extra.end());
        m_command = start_mlosbench(args, m_dir.path(), m_dir.path());
        const bool ready = wait_until(
            [&] {
                return read_file(m_command.out_path).find("listening on") != std::string::npos ||
                       !is_running(m_command.pid);
            },
            60);
        const std::string out = read_file(m_command.out_path);
        std::smatch match;
        if (ready && std::regex_search(out, match, std::regex("listening on http://[^ ]*:([0-9]+)/"))) {
            m_port = std::stoi(match[1]);
        }
        if (std::regex_search(out, match, std::regex("shown once; --token sets one\\): ([0-9a-f]+)\n"))) {
            m_token = match[1];
        }
    }

    /// Ends it with `signal` and returns what it printed and its exit code.
    CommandResult stop(int signal = SIGTERM)
    {
        if (m_command.pid <= 0) {
            return {};
        }
        ::kill(m_command.pid, signal);
        CommandResult result = wait_for(m_command);
        m_command.pid = -1;
        return result;
    }

    /// A server still running is stopped, and must stop cleanly (exit 0: no crash, and no
    /// sanitizer report, which would change the exit code).
    ~ServeProcess()
    {
        if (m_command.pid > 0) {
            const CommandResult result = stop();
            EXPECT_EQ(result.exit_code, 0) << result.err;
        }
    }

    [[nodiscard]] bool listening() const { return m_port > 0; }
    [[nodiscard]] int pid() const { return m_command.pid; }
    [[nodiscard]] int port() const { return m_port; }
    /// The token it printed (when it generated one).
    [[nodiscard]] const std::string& token() const { return m_token; }
    [[nodiscard]] std::string out() const { return read_file(m_command.out_path); }
    [[nodiscard]] std::string err() const { return read_file(m_command.err_path); }

    /// A client of it, with timeouts so that a hung server fails the test.
    [[nodiscard]] httplib::Client client() const
    {
        httplib::Client cli("127.0.0.1", m_port);
        cli.set_connection_timeout(10, 0);
        cli.set_read_timeout(30, 0);
        cli.set_write_timeout(10, 0);
        return cli;
    }

private:
    TempDir m_dir;
    RunningCommand m_command;
    int m_port = -1;
    std::string m_token;
};

/// A run of experiment "live" in `db` (3 trials of a LocalEnv) whose trial N waits until the
/// test opens gate N, so that trials stay running as long as a test needs them. start()
/// creates the storage's schema first, so that serve can open it before the run fills it.
/// finish() (or the destructor) opens every gate and waits for the run, which must succeed.
class GatedRun
{
public:
    void start(const StorageDatabase& db)
    {
        m_dir = db.dir();
        const std::string gates = (m_dir / "gate-").string();
        std::ofstream(m_dir / "gated.jsonc") << R"({"name": "gated", "class": "LocalEnv",
            "include_tunables": [")" + e2e_config("tunables.jsonc") +
                                                    R"("],
            "config": {"tunable_params": ["g"], "shell_env_params": ["x"],
                "read_results_file": "results.csv",
                "run": ["while [ ! -e )" + gates + R"($MLOSBENCH_TRIAL_ID ]; do sleep 0.02; done",
                        "printf 'metric,value\\nscore,%s\\n' \"$x\" > results.csv"]}})";
        std::ofstream(m_dir / "opt3.jsonc")
            << R"({"class": "MockOptimizer", "config": {"max_suggestions": 3, "seed": 5}})";
        const auto schema = run_mlosbench(
            {"--create-update-storage-schema-only", "--storage", db.storage_argument()}, m_dir);
        ASSERT_EQ(schema.exit_code, 0) << schema.err;
        m_run = start_mlosbench({"--environment", "gated.jsonc", "--optimizer", "opt3.jsonc",
                                 "--storage", db.storage_argument(), "--experiment-id", "live"},
                                m_dir, m_dir);
    }

    void open_gate(int trial) const
    {
        std::ofstream(m_dir / ("gate-" + std::to_string(trial))) << "";
    }

    void finish()
    {
        if (m_dir.empty()) {
            return;
        }
        for (int trial = 1; trial <= 3; ++trial) {
            open_gate(trial);
        }
        if (m_run.pid > 0) {
            const CommandResult r = wait_for(m_run);
            m_run.pid = -1;
            EXPECT_EQ(r.exit_code, 0) << r.err;
        }
    }

    GatedRun() = default;
    GatedRun(const GatedRun&) = delete;
    GatedRun& operator=(const GatedRun&) = delete;
    ~GatedRun() { finish(); }

private:
    std::filesystem::path m_dir;
    RunningCommand m_run;
};

/// The body of `response` as JSON (a failed parse fails the test with the body).
inline nlohmann::json json_body(const httplib::Result& response)
{
    if (!response) {
        ADD_FAILURE() << "no response: " << httplib::to_string(response.error());
        return nullptr;
    }
    try {
        return nlohmann::json::parse(response->body);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not JSON (" << e.what() << "): " << response->body;
        return nullptr;
    }
}

/// The message of an API error document, checking its status fields.
inline std::string error_message(const httplib::Result& response, int status)
{
    if (!response) {
        ADD_FAILURE() << "no response";
        return {};
    }
    EXPECT_EQ(response->status, status) << response->body;
    EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");
    const auto body = json_body(response);
    if (!body.is_object() || !body.contains("error")) {
        ADD_FAILURE() << "not an error document: " << response->body;
        return {};
    }
    EXPECT_EQ(body["error"]["status"], status);
    return body["error"]["message"].get<std::string>();
}

} // namespace mlosbench::testing
