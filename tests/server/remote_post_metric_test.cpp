// A trial on another host posting its telemetry: a RemoteEnv on the test sshd runs
// `mlosbench post-metric`, `run --api` gives the host serve's URL and token, and the metrics
// reach the driver's storage over HTTP while the trial runs.
#include "server/serve_process.hpp"
#include "support/sql_rows.hpp"
#include "support/ssh_server.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

constexpr const char* k_token = "remote-test-token-0123456789";

class RemotePostMetric : public ::testing::Test
{
protected:
    void SetUp() override
    {
        // Each line posts; a refused post fails its line and so the trial. The host's
        // MLOSBENCH_STORAGE names the same file (one machine here), so only the token
        // check below tells that the posts went through serve.
        std::ofstream(m_dir.path() / "remote_poster.jsonc") << R"json({
            "name": "remote poster", "class": "RemoteEnv",
            "include_services": ["services/remote/ssh/ssh_host_service.jsonc"],
            "config": {
                "required_args": ["ssh_hostname", "ssh_port", "ssh_username",
                                  "ssh_priv_key_path", "ssh_known_hosts_path", "mlosbench_bin"],
                "shell_env_params": ["mlosbench_bin"],
                "run": [
                    "\"$mlosbench_bin\" post-metric ops 2 --cumulative",
                    "\"$mlosbench_bin\" post-metric ops 3 --cumulative --metadata \"via $MLOSBENCH_API\"",
                    "echo score=0.5"
                ],
                "results_stdout_pattern": "(score)=([0-9.]+)"
            }})json";
        const auto schema = run_mlosbench(
            {"--create-update-storage-schema-only", "--storage", db().string()}, m_dir.path());
        ASSERT_EQ(schema.exit_code, 0) << schema.err;
        m_serve.start(db().string(), {"--token", k_token});
        ASSERT_TRUE(m_serve.listening()) << m_serve.err();
    }

    [[nodiscard]] fs::path db() const { return m_dir.path() / "remote.db"; }
    [[nodiscard]] std::string api() const
    {
        return "http://127.0.0.1:" + std::to_string(m_serve.port());
    }

    // `run` of two trials on the sshd with `extra` flags and `env` added to its environment.
    CommandResult run(const std::string& experiment,
                      std::vector<std::string> extra,
                      const std::vector<std::string>& env) const
    {
        std::vector<std::string> args = {
            "--environment", "remote_poster.jsonc", "--storage", db().string(),
            "--experiment-id", experiment, "--trial-config-repeat-count", "2",
            "--ssh_hostname", m_ssh.host(), "--ssh_port", std::to_string(m_ssh.port()),
            "--ssh_username", m_ssh.user(), "--ssh_priv_key_path", m_ssh.user_key().string(),
            "--ssh_known_hosts_path", m_ssh.known_hosts().string(), "--mlosbench_bin",
            mlosbench_binary()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_mlosbench(args, m_dir.path(), env);
    }

    SshServer m_ssh;
    TempDir m_dir;
    ServeProcess m_serve;
};

TEST_F(RemotePostMetric, ARemoteTrialPostsThroughServe)
{
    const auto r = run("remote", {"--api", api() + "/"}, {std::string("MLOSBENCH_TOKEN=") + k_token});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(sql_rows(db(), "SELECT trial_id, status FROM trial WHERE exp_id = 'remote' ORDER "
                             "BY trial_id"),
              (std::vector<std::string>{"1|SUCCEEDED", "2|SUCCEEDED"}));
    // Each trial's two cumulative posts, in that trial, with the URL the host was given.
    EXPECT_EQ(sql_rows(db(), "SELECT t.trial_id, t.metric_value, COALESCE(m.metadata, '') "
                             "FROM trial_telemetry t LEFT JOIN trial_telemetry_metadata m USING "
                             "(exp_id, trial_id, ts, metric_id) WHERE t.exp_id = 'remote' AND "
                             "t.metric_id = 'ops' ORDER BY t.trial_id, t.metric_value"),
              (std::vector<std::string>{"1|2|", "1|5|via " + api(), "2|2|", "2|5|via " + api()}));
    // The token reached no log line.
    EXPECT_EQ(r.err.find(k_token), std::string::npos);
    EXPECT_EQ(r.out.find(k_token), std::string::npos);
}

TEST_F(RemotePostMetric, AWrongTokenFailsTheTrialWithServesAnswer)
{
    const auto r =
        run("wrong", {"--api", api(), "--max-failed-share", "1"}, {"MLOSBENCH_TOKEN=not-the-serve-token"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(sql_rows(db(), "SELECT status, COUNT(*) FROM trial WHERE exp_id = 'wrong' GROUP "
                             "BY status"),
              std::vector<std::string>{"FAILED|2"});
    const std::string stderr_tail =
        sql_value(db(), "SELECT stderr_tail FROM trial_output WHERE exp_id = 'wrong' AND "
                        "trial_id = 1");
    EXPECT_NE(stderr_tail.find("mlosbench: error: " + api() + ": wrong token"), std::string::npos)
        << stderr_tail;
    EXPECT_EQ(sql_value(db(), "SELECT COUNT(*) FROM trial_telemetry WHERE exp_id = 'wrong'"), "0");
}

TEST_F(RemotePostMetric, ApiNeedsAUrlAndTheToken)
{
    const auto no_token = run("x", {"--api", api()}, {"MLOSBENCH_TOKEN="});
    EXPECT_EQ(no_token.exit_code, 2);
    EXPECT_EQ(no_token.err, "mlosbench: error: --api: the trials need serve's token to post "
                            "metrics: set MLOSBENCH_TOKEN to the token serve printed or was "
                            "given\n");
    for (const std::string bad : {"127.0.0.1:8080", "http://127.0.0.1", "http://:80",
                                  "http://h:70000", "http://h:80/api/v1", "https://h:443"}) {
        const auto r = run("x", {"--api", bad}, {std::string("MLOSBENCH_TOKEN=") + k_token});
        EXPECT_EQ(r.exit_code, 2) << bad;
        EXPECT_EQ(r.err, "mlosbench: error: --api: expected http://HOST:PORT (as serve prints "
                         "it), got '" +
                             bad + "'\n");
    }
    // Nothing ran.
    EXPECT_EQ(sql_value(db(), "SELECT COUNT(*) FROM trial"), "0");
}

} // namespace
