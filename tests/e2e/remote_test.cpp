// The shipped remote example (config/examples/remote) run end to end against a test sshd on
// 127.0.0.1: upload over SFTP, benchmark over SSH, results in SQLite.
#include "support/sql_rows.hpp"
#include "support/ssh_server.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

std::string example_cli()
{
    return (tests_dir().parent_path() / "config" / "examples" / "remote" / "cli.jsonc").string();
}

/// The example's command line pointed at `server` (host, port, keys) and `remote_dir`.
std::vector<std::string>
example_args(const SshServer& server, int port, const fs::path& db, const fs::path& remote_dir)
{
    return {"--config",
            example_cli(),
            "--storage",
            db.string(),
            "--ssh_hostname",
            server.host(),
            "--ssh_port",
            std::to_string(port),
            "--ssh_priv_key_path",
            server.user_key().string(),
            "--ssh_known_hosts_path",
            server.known_hosts().string(),
            "--remote_dir",
            remote_dir.string(),
            "--max_suggestions",
            "3",
            "--json"};
}

} // namespace

TEST(Remote, ExampleRunsOverSsh)
{
    SshServer server;
    TempDir dir;
    const fs::path db = dir.path() / "remote.db";
    const fs::path remote_dir = dir.path() / "remote";
    const auto r = run_mlosbench(example_args(server, server.port(), db, remote_dir), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(sql_rows(db, "SELECT status, COUNT(*) FROM trial WHERE exp_id = 'remote-example' "
                           "GROUP BY status"),
              std::vector<std::string>{"SUCCEEDED|3"});
    // Every trial has the three metrics its remote script printed.
    EXPECT_EQ(sql_rows(db, "SELECT metric_id, COUNT(*) FROM trial_result GROUP BY metric_id "
                           "ORDER BY metric_id"),
              (std::vector<std::string>{"compressed_kb|3", "score|3", "time_ms|3"}));
    // gzip -1 makes a bigger file than gzip -9: the level reached the remote host.
    const auto sizes = sql_rows(
        db, "SELECT p.param_value, r.metric_value FROM trial t JOIN config_param p USING "
            "(config_id) JOIN trial_result r ON r.exp_id = t.exp_id AND r.trial_id = "
            "t.trial_id WHERE r.metric_id = 'compressed_kb' ORDER BY CAST(p.param_value AS "
            "INTEGER)");
    ASSERT_EQ(sizes.size(), 3U);
    const auto kb = [](const std::string& row) { return std::stod(row.substr(row.find('|') + 1)); };
    EXPECT_GT(kb(sizes.front()), kb(sizes.back())) << sizes.front() << " vs " << sizes.back();
    // The uploads created remote_dir; the teardown removed the experiment's files.
    EXPECT_TRUE(fs::is_directory(remote_dir));
    EXPECT_FALSE(fs::exists(remote_dir / "remote-example"));
}

TEST(Remote, NothingListeningFailsTheTrialsWithTheReason)
{
    SshServer server;
    TempDir dir;
    const fs::path db = dir.path() / "remote.db";
    const int port = SshServer::free_port();
    const auto r = run_mlosbench(example_args(server, port, db, dir.path() / "remote"), dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(sql_rows(db, "SELECT status, COUNT(*) FROM trial GROUP BY status"),
              std::vector<std::string>{"FAILED|3"});
    const auto reasons = sql_rows(db, "SELECT reason FROM trial_output WHERE trial_id = 1");
    ASSERT_EQ(reasons.size(), 1U);
    EXPECT_EQ(reasons[0], "environment 'upload config': upload: cannot connect to " +
                              server.user() + "@127.0.0.1:" + std::to_string(port) +
                              ": Connection refused");
}

TEST(Remote, MlosBenchShapedEnvRunsWithTheBuiltInServiceConfigs)
{
    SshServer server;
    TempDir dir;
    const fs::path db = dir.path() / "ssh.db";
    const fs::path remote_dir = dir.path() / "remote";
    const auto r =
        run_mlosbench({"--environment", e2e_config("ssh_builtin_env.jsonc"), "--storage",
                       db.string(), "--experiment-id", "ssh", "--ssh_hostname", server.host(),
                       "--ssh_port", std::to_string(server.port()), "--ssh_username", server.user(),
                       "--ssh_priv_key_path", server.user_key().string(), "--ssh_known_hosts_path",
                       server.known_hosts().string(), "--remote_dir", remote_dir.string()},
                      dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    // The remote script wrote the results, the file share brought them back, LocalEnv read them.
    EXPECT_EQ(sql_rows(db, "SELECT status FROM trial WHERE exp_id = 'ssh'"),
              std::vector<std::string>{"SUCCEEDED"});
    EXPECT_EQ(sql_rows(db, "SELECT metric_id, metric_value FROM trial_result ORDER BY metric_id"),
              (std::vector<std::string>{"score|0.9", "username|" + server.user()}));
    // The teardown ran on the host.
    EXPECT_EQ(read_file(remote_dir / "teardown.txt"), "teardown,complete\n");
    EXPECT_FALSE(fs::exists(remote_dir / "output.csv"));

    // The built-in service configs check host keys: without the test's known_hosts file the
    // host is unknown, the trial fails and says how to accept the key.
    const fs::path db2 = dir.path() / "ssh2.db";
    const fs::path empty_known_hosts = dir.path() / "empty_known_hosts";
    std::ofstream(empty_known_hosts).close();
    const auto refused =
        run_mlosbench({"--environment", e2e_config("ssh_builtin_env.jsonc"), "--storage",
                       db2.string(), "--experiment-id", "ssh", "--ssh_hostname", server.host(),
                       "--ssh_port", std::to_string(server.port()), "--ssh_username", server.user(),
                       "--ssh_priv_key_path", server.user_key().string(), "--ssh_known_hosts_path",
                       empty_known_hosts.string(), "--remote_dir", remote_dir.string()},
                      dir.path());
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    const auto reason = sql_value(db2, "SELECT reason FROM trial_output WHERE trial_id = 1");
    EXPECT_NE(reason.find("ssh-keyscan -p " + std::to_string(server.port())), std::string::npos)
        << reason;
}

TEST(Remote, AHostPoolGivesEachTrialRunnerItsOwnHost)
{
    const SshServer servers[3];
    TempDir dir;
    // One known_hosts file for the three ([127.0.0.1]:port lines); a key of each host's own.
    const fs::path known_hosts = dir.path() / "known_hosts";
    {
        std::ofstream out(known_hosts);
        for (const auto& s : servers) {
            out << read_file(s.known_hosts());
        }
    }
    nlohmann::json pool = nlohmann::json::array();
    for (const auto& s : servers) {
        pool.push_back({{"ssh_hostname", s.host()},
                        {"ssh_port", s.port()},
                        {"ssh_username", s.user()},
                        {"ssh_priv_key_path", s.user_key().string()}});
    }
    const fs::path globals = dir.path() / "pool.jsonc";
    {
        std::ofstream out(globals);
        out << nlohmann::json{{"host_pool", pool}}.dump();
    }
    const fs::path db = dir.path() / "pool.db";
    const auto r = run_mlosbench({"--environment", e2e_config("pool_env.jsonc"), "--optimizer",
                                  e2e_config("mock_opt.jsonc"), "--globals", globals.string(),
                                  "--ssh_known_hosts_path", known_hosts.string(),
                                  "--max_suggestions", "9", "--storage", db.string(), "--json"},
                                 dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    // Three runners (the pool's size), each on its own sshd for all its trials.
    const auto rows = sql_rows(db, "SELECT t.trial_runner_id, r.metric_value FROM trial t JOIN "
                                   "trial_result r USING (exp_id, trial_id) WHERE r.metric_id = "
                                   "'port' ORDER BY t.trial_id");
    ASSERT_EQ(rows.size(), 9U);
    std::map<std::string, std::set<std::string>> ports_of_runner;
    for (const auto& row : rows) {
        const auto bar = row.find('|');
        ports_of_runner[row.substr(0, bar)].insert(row.substr(bar + 1));
    }
    ASSERT_EQ(ports_of_runner.size(), 3U) << r.err;
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(ports_of_runner[std::to_string(i + 1)],
                  std::set<std::string>{std::to_string(servers[i].port())})
            << "runner " << i + 1;
    }
}
