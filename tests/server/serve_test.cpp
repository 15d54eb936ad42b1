// `mlosbench serve` end to end: the built binary serving real experiments (made by `run`) on
// a loopback port, asked over HTTP; every answer is compared with what the results commands
// print for the same storage, on SQLite and on PostgreSQL.
#include "server/serve_process.hpp"
#include "support/storage_backends.hpp"
#include "support/test_support.hpp"
#include "support/zip_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <map>
#include <memory>

namespace fs = std::filesystem;
using namespace mlosbench::testing;
using nlohmann::json;

namespace {

constexpr const char* k_token = "test-token-0123456789abcdef";

httplib::Headers bearer(const std::string& token)
{
    return {{"Authorization", "Bearer " + token}};
}

// One storage per backend holding experiment "res1" (5 trials of local_env.jsonc, 2
// telemetry samples each), made by the first test that asks for it.
struct Filled
{
    explicit Filled(Backend backend) : db(backend) {}
    StorageDatabase db;
};

Filled& filled(Backend backend)
{
    static std::map<Backend, std::unique_ptr<Filled>> made;
    auto& slot = made[backend];
    if (!slot) {
        slot = std::make_unique<Filled>(backend);
        const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                                      e2e_config("mock_opt.jsonc"), "--storage",
                                      slot->db.storage_argument(), "--experiment-id", "res1"},
                                     slot->db.dir());
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    return *slot;
}

class ServeApi : public ::testing::TestWithParam<Backend>
{
protected:
    void SetUp() override
    {
        m_filled = &filled(GetParam());
        m_serve.start(storage(), {"--token", k_token});
        ASSERT_TRUE(m_serve.listening()) << m_serve.out() << m_serve.err();
    }

    [[nodiscard]] std::string storage() const { return m_filled->db.storage_argument(); }

    // What a results command prints with --json for the same storage.
    json cli_json(std::vector<std::string> args) const
    {
        args.insert(args.end(), {"--storage", storage(), "--json"});
        const auto r = run_mlosbench(args, m_filled->db.dir());
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out);
    }
    std::string cli_out(std::vector<std::string> args) const
    {
        args.insert(args.end(), {"--storage", storage()});
        const auto r = run_mlosbench(args, m_filled->db.dir());
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }

    Filled* m_filled = nullptr;
    ServeProcess m_serve;
};

TEST_P(ServeApi, ListsExperimentsAsShowDoes)
{
    auto cli = m_serve.client();
    const auto r = cli.Get("/api/v1/experiments");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
    const json body = json_body(r);
    EXPECT_EQ(body["experiments"], cli_json({"show"}));
    ASSERT_EQ(body["experiments"].size(), 1U);
    EXPECT_EQ(body["experiments"][0]["exp_id"], "res1");
    EXPECT_EQ(body["experiments"][0]["trials"]["total"], 5);
}

TEST_P(ServeApi, OneExperimentHasItsTrialsAndWorkers)
{
    auto cli = m_serve.client();
    const json body = json_body(cli.Get("/api/v1/experiments/res1"));
    const json shown = cli_json({"show", "res1"});
    EXPECT_EQ(body["trials"], shown["trials"]);
    EXPECT_EQ(body["workers"], shown["workers"]);
    EXPECT_EQ(body["experiment"], cli_json({"show"})[0]);
    EXPECT_EQ(body["trials"].size(), 5U);
    // A trailing slash is the same resource.
    EXPECT_EQ(json_body(cli.Get("/api/v1/experiments/res1/")), body);
}

TEST_P(ServeApi, OneTrialAsShowTrialDoes)
{
    auto cli = m_serve.client();
    const json body = json_body(cli.Get("/api/v1/experiments/res1/trials/3"));
    EXPECT_EQ(body, cli_json({"show", "res1", "--trial", "3"}));
    EXPECT_EQ(body["trial_id"], 3);
    EXPECT_EQ(body["status"], "SUCCEEDED");
}

TEST_P(ServeApi, MetricsTakeTheFiltersOfTheMetricsCommand)
{
    auto cli = m_serve.client();
    const json all = json_body(cli.Get("/api/v1/experiments/res1/metrics"));
    EXPECT_EQ(all["metrics"], cli_json({"metrics", "res1"}));
    // 5 trials x (2 cpu samples + results score, mode, latency)
    EXPECT_EQ(all["metrics"].size(), 25U);
    EXPECT_EQ(json_body(cli.Get("/api/v1/experiments/res1/metrics?trial=2&metric=cpu&last=1"))
                  ["metrics"],
              cli_json({"metrics", "res1", "--trial", "2", "--metric", "cpu", "--last", "1"}));
    const json summarized =
        json_body(cli.Get("/api/v1/experiments/res1/metrics?metric=cpu&summarize=1&results=false"));
    EXPECT_EQ(summarized["metrics"],
              cli_json({"metrics", "res1", "--metric", "cpu", "--summarize", "1", "--no-results"}));
    ASSERT_EQ(summarized["metrics"].size(), 5U);
    EXPECT_EQ(summarized["metrics"][0]["count"], 2);
    EXPECT_EQ(summarized["metrics"][0]["value"], 0.625);
    // since: the telemetry is timed 2025-01-02 03:04:05 and :06.
    const json since = json_body(cli.Get(
        "/api/v1/experiments/res1/metrics?metric=cpu&metric=score&since=2025-01-02T03:04:06Z"));
    EXPECT_EQ(since["metrics"], cli_json({"metrics", "res1", "--metric", "cpu", "--metric",
                                          "score", "--since", "2025-01-02T03:04:06Z"}));
    EXPECT_EQ(since["metrics"].size(), 10U); // per trial: cpu at :06 and the score result
    // The trial's own metrics resource is the same as ?trial=N.
    EXPECT_EQ(json_body(cli.Get("/api/v1/experiments/res1/trials/4/metrics?metric=cpu")),
              json_body(cli.Get("/api/v1/experiments/res1/metrics?trial=4&metric=cpu")));
}

TEST_P(ServeApi, ExportsAsTheExportCommandDoes)
{
    auto cli = m_serve.client();
    const auto csv = cli.Get("/api/v1/experiments/res1/export");
    ASSERT_TRUE(csv);
    EXPECT_EQ(csv->status, 200);
    EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv->get_header_value("Content-Disposition"),
              "attachment; filename=\"res1-results.csv\"");
    EXPECT_EQ(csv->body, cli_out({"export", "res1", "--format", "csv"}));
    const auto json_export = cli.Get("/api/v1/experiments/res1/export?format=json");
    ASSERT_TRUE(json_export);
    EXPECT_EQ(json_export->body, cli_out({"export", "res1", "--format", "json"}));
    const auto telemetry = cli.Get("/api/v1/experiments/res1/export?table=telemetry");
    ASSERT_TRUE(telemetry);
    EXPECT_EQ(telemetry->body, cli_out({"export", "res1", "--telemetry"}));
    EXPECT_EQ(std::count(telemetry->body.begin(), telemetry->body.end(), '\n'), 11);

    const auto zip = cli.Get("/api/v1/experiments/res1/export?format=zip");
    ASSERT_TRUE(zip);
    EXPECT_EQ(zip->status, 200);
    EXPECT_EQ(zip->get_header_value("Content-Type"), "application/zip");
    TempDir dir;
    const fs::path path = dir.path() / "api.zip";
    std::ofstream(path, std::ios::binary) << zip->body;
    const auto entries = read_zip_entries(path);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].name, "results.csv");
    EXPECT_EQ(entries[0].contents, csv->body);
    EXPECT_EQ(entries[1].name, "telemetry.csv");
    EXPECT_EQ(entries[1].contents, telemetry->body);
    const auto zip_json = cli.Get("/api/v1/experiments/res1/export?format=zip&contents=json");
    ASSERT_TRUE(zip_json);
    std::ofstream(dir.path() / "j.zip", std::ios::binary) << zip_json->body;
    const auto json_entries = read_zip_entries(dir.path() / "j.zip");
    ASSERT_EQ(json_entries.size(), 2U);
    EXPECT_EQ(json_entries[0].name, "results.json");
    EXPECT_EQ(json_entries[0].contents, json_export->body);
}

TEST_P(ServeApi, ErrorsAreJsonWithTheirStatus)
{
    auto cli = m_serve.client();
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/nope"), 404),
              "unknown experiment 'nope'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/trials/99"), 404),
              "unknown trial 99 in experiment 'res1'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/metrics?trial=99"), 404),
              "unknown trial 99 in experiment 'res1'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/trials/x1"), 400),
              "trial id: expected a whole number from 1 to 9223372036854775807, got 'x1'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/metrics?lasts=2"), 400),
              "unknown parameter 'lasts' (did you mean 'last'?); this endpoint takes trial, "
              "metric, since, last, summarize, results");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/metrics?last=0"), 400),
              "last: expected a whole number from 1 to 1000000, got '0'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/metrics?last=1&last=2"), 400),
              "parameter 'last' given more than once");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/metrics?since=yesterday"), 400),
              "since: expected an ISO 8601 time such as 2025-01-02T03:04:05Z, from "
              "1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z, got 'yesterday'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/metrics?metric=cpx"), 400),
              "unknown metric 'cpx' in experiment 'res1' (its metrics: cpu, latency, mode, "
              "score) (did you mean 'cpu'?)");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/metrics?results=maybe"), 400),
              "results: expected true or false, got 'maybe'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/export?format=xml"), 400),
              "format: expected csv, json or zip, got 'xml'");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/res1/export?format=zip&table=results"),
                            400),
              "table: a zip archive holds both tables; leave table out");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments?x=1"), 400),
              "unknown parameter 'x'; this endpoint takes none");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/%zz"), 400),
              "bad percent-encoding in the request target");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/a%01b"), 400),
              "invalid experiment id: it holds a control character");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/" + std::string(300, 'x')), 400),
              "invalid experiment id: longer than 256 bytes");
    EXPECT_EQ(error_message(cli.Get("/api/v1/nothing"), 404), "no such resource: /api/v1/nothing");
    EXPECT_EQ(error_message(cli.Get("/api/v2/experiments"), 404),
              "no such resource: this server's API is /api/v1/");
    EXPECT_EQ(error_message(cli.Get("/static/../../etc/passwd"), 404),
              "no such resource: /static/../../etc/passwd");
    const auto put = cli.Put("/api/v1/experiments/res1", "{}", "application/json");
    EXPECT_EQ(error_message(put, 405), "method PUT not allowed here; allowed: GET, DELETE");
    EXPECT_EQ(put->get_header_value("Allow"), "GET, DELETE");
    EXPECT_EQ(error_message(cli.Post("/api/v1/experiments", bearer(k_token), "{}",
                                     "application/json"),
                            405),
              "method POST not allowed here; allowed: GET");
    // A body over the bound is refused before it is read.
    const auto big = cli.Post("/api/v1/experiments/res1/trials/1/metrics", bearer(k_token),
                              std::string(100000, ' '), "application/json");
    EXPECT_EQ(error_message(big, 413), "request body larger than 65536 bytes");
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own Host.
    const auto rebound = cli.Get("/api/v1/experiments",
                                 {{"Host", "evil.example:" + std::to_string(m_serve.port())}});
    EXPECT_EQ(error_message(rebound, 403),
              "Host 'evil.example:" + std::to_string(m_serve.port()) +
                  "' is not this server's name (a page of another site reaching "
              "a loopback server through its own DNS name is refused); use 127.0.0.1 or "
              "localhost");
    EXPECT_EQ(json_body(cli.Get("/api/v1/experiments",
                                {{"Host", "localhost:" + std::to_string(m_serve.port())}}))
                  ["experiments"][0]["exp_id"],
              "res1");
}

TEST_P(ServeApi, WritesNeedTheToken)
{
    auto cli = m_serve.client();
    const std::string post = "/api/v1/experiments/res1/trials/1/metrics";
    const std::string metric = R"({"name": "loss", "value": 1})";
    const auto anonymous = cli.Post(post, metric, "application/json");
    EXPECT_EQ(error_message(anonymous, 401),
              "writing needs the server's token: send 'Authorization: Bearer TOKEN' (the token "
              "serve printed at start, or its --token)");
    EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(error_message(cli.Post(post, bearer("test-token-0123456789abcdeX"), metric,
                                     "application/json"),
                            403),
              "wrong token");
    EXPECT_EQ(error_message(cli.Post(post, bearer("short"), metric, "application/json"), 403),
              "wrong token");
    EXPECT_EQ(error_message(cli.Delete("/api/v1/experiments/res1"), 401),
              "writing needs the server's token: send 'Authorization: Bearer TOKEN' (the token "
              "serve printed at start, or its --token)");
    EXPECT_EQ(error_message(cli.Delete("/api/v1/experiments/res1", bearer(k_token + std::string("x"))),
                            403),
              "wrong token");
    // With the token: the trial has ended, so the metric is refused for that, not the token.
    EXPECT_EQ(error_message(cli.Post(post, bearer(k_token), metric, "application/json"), 409),
              "trial 1 of experiment 'res1' has ended (SUCCEEDED): metrics are posted while a "
              "trial runs");
    // Reads stay open on loopback; nothing was written.
    EXPECT_EQ(json_body(cli.Get("/api/v1/experiments"))["experiments"].size(), 1U);
    EXPECT_EQ(json_body(cli.Get("/api/v1/experiments/res1/metrics?metric=loss")).is_object(), true);
}

TEST_P(ServeApi, DeletesAnExperimentWithTheToken)
{
    // Its own storage: the shared one keeps res1.
    StorageDatabase db(GetParam());
    for (const char* id : {"gone", "kept"}) {
        const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                                      e2e_config("mock_opt.jsonc"), "--storage",
                                      db.storage_argument(), "--experiment-id", id},
                                     db.dir());
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ServeProcess serve;
    serve.start(db.storage_argument()); // a generated token, printed once
    ASSERT_TRUE(serve.listening()) << serve.err();
    ASSERT_EQ(serve.token().size(), 64U) << serve.out();
    auto cli = serve.client();
    const auto deleted = cli.Delete("/api/v1/experiments/gone", bearer(serve.token()));
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->status, 200) << deleted->body;
    const json body = json_body(deleted);
    EXPECT_EQ(body["exp_id"], "gone");
    EXPECT_EQ(body["deleted"]["trial"], 5);
    EXPECT_EQ(body["deleted"]["experiment"], 1);
    EXPECT_EQ(body["deleted"]["trial_telemetry"], 10);
    EXPECT_EQ(db.count("SELECT COUNT(*) FROM trial WHERE exp_id = 'gone'"), 0);
    EXPECT_EQ(db.count("SELECT COUNT(*) FROM trial WHERE exp_id = 'kept'"), 5);
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments/gone"), 404), "unknown experiment 'gone'");
    EXPECT_EQ(error_message(cli.Delete("/api/v1/experiments/gone", bearer(serve.token())), 404),
              "unknown experiment 'gone'");
    const json left = json_body(cli.Get("/api/v1/experiments"));
    ASSERT_EQ(left["experiments"].size(), 1U);
    EXPECT_EQ(left["experiments"][0]["exp_id"], "kept");
    // The token was shown once: on stdout at start, nowhere in the log.
    EXPECT_EQ(serve.err().find(serve.token()), std::string::npos);
    const auto stopped = serve.stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, ServeApi, all_backends(), backend_name);

// A run in progress whose trials wait for a gate file each, so that the test decides when
// each one finishes; serve watches it from another process.
class ServeRunning : public ::testing::TestWithParam<Backend>
{
protected:
    void SetUp() override
    {
        m_db = std::make_unique<StorageDatabase>(GetParam());
        ASSERT_NO_FATAL_FAILURE(m_run.start(*m_db));
        // No rate limit: ConcurrentClientsAddUp sends more than a burst.
        m_serve.start(m_db->storage_argument(), {"--token", k_token, "--rate-limit", "0"});
        ASSERT_TRUE(m_serve.listening()) << m_serve.err();
    }

    void TearDown() override { m_run.finish(); }

    void open_gate(int trial) const { m_run.open_gate(trial); }

    // The status of `trial` as the API gives it ("" before it exists).
    std::string status_of(int trial) const
    {
        auto cli = m_serve.client();
        const auto r = cli.Get("/api/v1/experiments/live");
        if (!r || r->status != 200) {
            return {};
        }
        const json body = json::parse(r->body);
        for (const auto& t : body["trials"]) {
            if (t["trial_id"] == trial) {
                return t["status"];
            }
        }
        return {};
    }

    std::unique_ptr<StorageDatabase> m_db;
    GatedRun m_run;
    ServeProcess m_serve;
};

TEST_P(ServeRunning, PostsMetricsForTheRunningTrial)
{
    ASSERT_TRUE(wait_until([&] { return status_of(1) == "RUNNING"; }, 60)) << status_of(1);
    auto cli = m_serve.client();
    const std::string post = "/api/v1/experiments/live/trials/1/metrics";
    const auto first = cli.Post(post, bearer(k_token),
                                R"({"name": "loss", "value": 0.5, "metadata": "epoch 1",
                                    "time": "2025-01-02T03:04:05Z"})",
                                "application/json");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 201) << first->body;
    EXPECT_EQ(json_body(first),
              json({{"exp_id", "live"}, {"trial_id", 1}, {"ts", "2025-01-02T03:04:05.000000Z"},
                    {"metric", "loss"}, {"value", 0.5}, {"cumulative", false},
                    {"metadata", "epoch 1"}}));
    for (int i = 0; i < 3; ++i) {
        const auto added = cli.Post(post, bearer(k_token),
                                    R"({"name": "bytes", "value": 10, "cumulative": true})",
                                    "application/json");
        ASSERT_TRUE(added);
        EXPECT_EQ(added->status, 201) << added->body;
        EXPECT_EQ(json_body(added)["value"], 10 * (i + 1));
    }
    const json loss =
        json_body(cli.Get("/api/v1/experiments/live/trials/1/metrics?metric=loss&metric=bytes"));
    ASSERT_EQ(loss["metrics"].size(), 4U) << loss.dump();
    EXPECT_EQ(loss["metrics"][0]["metric"], "bytes");
    EXPECT_EQ(loss["metrics"][2]["value"], 30);
    EXPECT_EQ(loss["metrics"][3]["metric"], "loss");
    EXPECT_EQ(loss["metrics"][3]["metadata"], "epoch 1");
    // The CLI reads what the API wrote.
    const auto cli_rows = run_mlosbench({"metrics", "live", "--metric", "loss", "--json",
                                         "--storage", m_db->storage_argument()});
    ASSERT_EQ(cli_rows.exit_code, 0) << cli_rows.err;
    EXPECT_EQ(json::parse(cli_rows.out)[0]["value"], 0.5);

    // Bad bodies.
    const auto bad = [&](const std::string& body) {
        return cli.Post(post, bearer(k_token), body, "application/json");
    };
    const std::string not_json = "the body is not valid JSON (numbers beyond a double "
                                 "included); send an object such as {\"name\": \"loss\", "
                                 "\"value\": 0.25}";
    EXPECT_EQ(error_message(bad("not json"), 400), not_json);
    EXPECT_EQ(error_message(bad(R"({"name": "loss", "value": 1e400})"), 400), not_json);
    EXPECT_EQ(error_message(bad("[1]"), 400),
              "the body must be a JSON object such as {\"name\": \"loss\", \"value\": 0.25}");
    EXPECT_EQ(error_message(bad(R"({"name": "loss", "values": 1})"), 400),
              "unknown key 'values' in the body (did you mean 'value'?); it takes name, value, "
              "cumulative, metadata, time");
    EXPECT_EQ(error_message(bad(R"({"name": "loss", "value": "high"})"), 400),
              "value: expected a finite number, got \"high\"");
    EXPECT_EQ(error_message(bad(R"({"name": "", "value": 1})"), 400),
              "name: expected a metric name (text of 1 to 256 bytes without control characters)");
    EXPECT_EQ(error_message(bad(R"({"name": "loss", "value": 1, "time": "soon"})"), 400),
              "time: expected an ISO 8601 time such as 2025-01-02T03:04:05Z, from "
              "1970-01-01T00:00:00Z to 2261-12-31T23:59:59Z, got 'soon'");
    EXPECT_EQ(error_message(bad(R"({"name": "loss", "value": 1, "cumulative": "yes"})"), 400),
              "cumulative: expected true or false");
    EXPECT_EQ(error_message(cli.Post("/api/v1/experiments/live/trials/7/metrics", bearer(k_token),
                                     R"({"name": "loss", "value": 1})", "application/json"),
                            404),
              "unknown trial 7 in experiment 'live'");
    EXPECT_EQ(error_message(cli.Post("/api/v1/experiments/nope/trials/1/metrics", bearer(k_token),
                                     R"({"name": "loss", "value": 1})", "application/json"),
                            404),
              "unknown experiment 'nope'");

    // A running experiment is not deleted.
    const auto refused = cli.Delete("/api/v1/experiments/live", bearer(k_token));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 409) << refused->body;
    EXPECT_NE(json_body(refused)["error"]["message"].get<std::string>().find("live"),
              std::string::npos);

    // Once the trial has ended, its metrics are closed.
    open_gate(1);
    ASSERT_TRUE(wait_until([&] { return status_of(1) == "SUCCEEDED"; }, 60));
    EXPECT_EQ(error_message(bad(R"({"name": "loss", "value": 1})"), 409),
              "trial 1 of experiment 'live' has ended (SUCCEEDED): metrics are posted while a "
              "trial runs");
}

// `mlosbench post-metric` inside a trial on another machine: MLOSBENCH_API and
// MLOSBENCH_TOKEN send it to serve over HTTP (MLOSBENCH_STORAGE names nothing here).
TEST_P(ServeRunning, PostMetricCommandGoesOverHttp)
{
    ASSERT_TRUE(wait_until([&] { return status_of(1) == "RUNNING"; }, 60)) << status_of(1);
    const std::string api = "http://127.0.0.1:" + std::to_string(m_serve.port());
    const std::vector<std::string> env = {"MLOSBENCH_API=" + api, "MLOSBENCH_EXPERIMENT_ID=live",
                                          "MLOSBENCH_TRIAL_ID=1",
                                          "MLOSBENCH_STORAGE=/nonexistent/remote.db"};
    auto with_token = env;
    with_token.push_back(std::string("MLOSBENCH_TOKEN=") + k_token);
    const auto posted = run_mlosbench({"post-metric", "epoch_loss", "0.125", "--metadata", "remote",
                                       "--time", "2025-02-03T04:05:06Z"},
                                      {}, with_token);
    EXPECT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_EQ(posted.out, "");
    auto cli = m_serve.client();
    const json rows =
        json_body(cli.Get("/api/v1/experiments/live/trials/1/metrics?metric=epoch_loss"));
    ASSERT_EQ(rows["metrics"].size(), 1U) << rows.dump();
    EXPECT_EQ(rows["metrics"][0]["value"], 0.125);
    EXPECT_EQ(rows["metrics"][0]["metadata"], "remote");
    EXPECT_EQ(rows["metrics"][0]["ts"], "2025-02-03T04:05:06.000000Z");

    auto wrong = env;
    wrong.emplace_back("MLOSBENCH_TOKEN=not-the-token-at-all");
    const auto refused = run_mlosbench({"post-metric", "epoch_loss", "1"}, {}, wrong);
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(refused.err, "mlosbench: error: " + api + ": wrong token\n");
    const auto anonymous = run_mlosbench({"post-metric", "epoch_loss", "1"}, {}, env);
    EXPECT_EQ(anonymous.exit_code, 2);
    EXPECT_EQ(anonymous.err.rfind("mlosbench: error: " + api + ": writing needs the server's token", 0),
              0U)
        << anonymous.err;
    auto nobody = with_token;
    nobody[0] = "MLOSBENCH_API=http://127.0.0.1:1";
    const auto unreachable = run_mlosbench({"post-metric", "epoch_loss", "1"}, {}, nobody);
    EXPECT_EQ(unreachable.exit_code, 1);
    EXPECT_EQ(unreachable.err.rfind("mlosbench: error: cannot post to http://127.0.0.1:1: ", 0), 0U)
        << unreachable.err;
}

// Clients at once, reading and writing: every cumulative post counts exactly once.
TEST_P(ServeRunning, ConcurrentClientsAddUp)
{
    ASSERT_TRUE(wait_until([&] { return status_of(1) == "RUNNING"; }, 60)) << status_of(1);
    constexpr int k_threads = 4;
    constexpr int k_posts = 10;
    std::atomic<int> created{0};
    std::atomic<int> read_ok{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < k_threads; ++i) {
        clients.emplace_back([&] {
            auto cli = m_serve.client();
            for (int j = 0; j < k_posts; ++j) {
                const auto r = cli.Post("/api/v1/experiments/live/trials/1/metrics",
                                        bearer(k_token),
                                        R"({"name": "ops", "value": 3, "cumulative": true})",
                                        "application/json");
                if (r && r->status == 201) {
                    ++created;
                } else {
                    ADD_FAILURE() << (r ? r->body : httplib::to_string(r.error()));
                }
                const auto g = cli.Get("/api/v1/experiments/live");
                if (g && g->status == 200) {
                    ++read_ok;
                }
            }
        });
    }
    for (auto& c : clients) {
        c.join();
    }
    EXPECT_EQ(created.load(), k_threads * k_posts);
    EXPECT_EQ(read_ok.load(), k_threads * k_posts);
    auto cli = m_serve.client();
    const json last =
        json_body(cli.Get("/api/v1/experiments/live/trials/1/metrics?metric=ops&last=1"));
    ASSERT_TRUE(last.contains("metrics")) << last.dump();
    ASSERT_EQ(last["metrics"].size(), 1U) << last.dump();
    EXPECT_EQ(last["metrics"][0]["value"], 3 * k_threads * k_posts);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServeRunning, all_backends(), backend_name);

// --- The command line: binding, tokens, shutdown. SQLite only: the storage plays no part.

class ServeCommand : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_db = std::make_unique<StorageDatabase>(Backend::sqlite);
        const auto r = run_mlosbench({"--environment", e2e_config("local_env.jsonc"), "--optimizer",
                                      e2e_config("mock_opt.jsonc"), "--storage",
                                      s_db->storage_argument(), "--experiment-id", "res1"},
                                     s_db->dir());
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() { s_db.reset(); }
    static std::string storage() { return s_db->storage_argument(); }

    static inline std::unique_ptr<StorageDatabase> s_db;
};

TEST_F(ServeCommand, SaysWhereItListensAndStopsCleanlyOnSigint)
{
    ServeProcess serve;
    serve.start(storage());
    ASSERT_TRUE(serve.listening()) << serve.err();
    const std::string out = serve.out();
    EXPECT_EQ(out, "mlosbench serve: storage " + storage() +
                       "\nmlosbench serve: token for writes (shown once; --token sets one): " +
                       serve.token() + "\nmlosbench serve: listening on http://127.0.0.1:" +
                       std::to_string(serve.port()) + "/ (Ctrl-C stops)\n");
    auto cli = serve.client();
    const json index = json_body(cli.Get("/api/v1"));
    EXPECT_EQ(index["api"], "v1");
    EXPECT_EQ(index["storage"], storage());
    EXPECT_EQ(index["reads_need_token"], false);
    const auto r = serve.stop(SIGINT);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, out + "mlosbench serve: stopped (SIGINT)\n");
    // Nothing listens there any more.
    auto after = httplib::Client("127.0.0.1", serve.port());
    after.set_connection_timeout(5, 0);
    EXPECT_FALSE(after.Get("/api/v1"));
}

// The nice value of process `pid`, of every thread (/proc/PID/task/TID/stat, field 19).
std::set<int> nice_values(int pid)
{
    std::set<int> values;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
        std::string stat = read_file(task.path() / "stat");
        std::istringstream fields(stat.substr(stat.rfind(')') + 2));
        std::string field;
        for (int i = 3; i <= 19 && fields >> field; ++i) {
        }
        values.insert(std::stoi(field));
    }
    return values;
}

TEST_F(ServeCommand, RunsAtALowerPriorityThanTheRunBesideIt)
{
    const int own = ::getpriority(PRIO_PROCESS, 0);
    ServeProcess serve;
    serve.start(storage());
    ASSERT_TRUE(serve.listening()) << serve.err();
    // Each of its threads (the listener and the pool's, started once it listens).
    EXPECT_EQ(nice_values(serve.pid()), std::set<int>{std::min(own + 10, 19)});
    ServeProcess kept;
    kept.start(storage(), {"--nice", "0"});
    ASSERT_TRUE(kept.listening()) << kept.err();
    EXPECT_EQ(nice_values(kept.pid()), std::set<int>{own});
    const auto bad = run_mlosbench({"serve", "--storage", storage(), "--nice", "20"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("--nice"), std::string::npos) << bad.err;
}

TEST_F(ServeCommand, ANonLoopbackAddressNeedsATokenAndThenReadsNeedItToo)
{
    const auto refused = run_mlosbench({"serve", "--storage", storage(), "--bind", "0.0.0.0:0"});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_EQ(refused.err,
              "mlosbench: error: --bind: '0.0.0.0:0' is not a loopback address: other machines "
              "could reach the server, so it needs --token (or --token-file), which reads need "
              "then too\n");
    TempDir dir;
    const fs::path token_file = dir.write("token", std::string(k_token) + "\n");
    ServeProcess serve;
    serve.start(storage(), {"--token-file", token_file.string()}, "0.0.0.0:0");
    ASSERT_TRUE(serve.listening()) << serve.err();
    EXPECT_EQ(serve.out().find("token for writes"), std::string::npos);
    auto cli = serve.client();
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments"), 401),
              "reading needs the server's token: send 'Authorization: Bearer TOKEN' (the token "
              "serve printed at start, or its --token)");
    EXPECT_EQ(error_message(cli.Get("/api/v1/experiments", bearer("wrong-token-0123456789")), 403),
              "wrong token");
    const auto ok = cli.Get("/api/v1/experiments", bearer(k_token));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    // Any Host is fine there (the token guards it); the page itself holds no data.
    const auto page = cli.Get("/", {{"Host", "bench.example:80"}});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
}

TEST_F(ServeCommand, BadUsageExitsTwo)
{
    const auto expect_usage = [&](std::vector<std::string> args, const std::string& message) {
        args.insert(args.begin(), "serve");
        const auto r = run_mlosbench(args, s_db->dir());
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_EQ(r.err, "mlosbench: error: " + message + "\n");
    };
    expect_usage({"--storage", storage(), "--bind", "localhost:99999"},
                 "--bind: expected HOST:PORT such as 127.0.0.1:8080 (the port is 0 to 65535; 0 "
                 "picks a free one), got 'localhost:99999'");
    expect_usage({"--storage", storage(), "--bind", "example.com:80"},
                 "--bind: expected HOST:PORT such as 127.0.0.1:8080 (the host is an IP address or "
                 "localhost), got 'example.com:80'");
    expect_usage({"--storage", storage(), "--bind", "::1:80"},
                 "--bind: expected HOST:PORT such as 127.0.0.1:8080 (write an IPv6 address in "
                 "brackets: [::1]:8080), got '::1:80'");
    expect_usage({"--storage", storage(), "--token", "short"},
                 "--token: a token has at least 16 characters");
    expect_usage({"--storage", storage(), "--token", "has a space in it!!"},
                 "--token: a token is printable ASCII without spaces");
    expect_usage({"--storage", (s_db->dir() / "missing.db").string(), "--bind", "127.0.0.1:0"},
                 (s_db->dir() / "missing.db").string() + ": storage file not found");
    expect_usage({"--storage", storage(), "--rate-limit", "-1"},
                 "--rate-limit: expected requests per second from 0 to 1000000, got '-1'");
}

TEST_F(ServeCommand, AnAddressInUseIsAnError)
{
    ServeProcess first;
    first.start(storage());
    ASSERT_TRUE(first.listening()) << first.err();
    const std::string address = "127.0.0.1:" + std::to_string(first.port());
    const auto second = run_mlosbench({"serve", "--storage", storage(), "--bind", address});
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_EQ(second.err.rfind("mlosbench: error: cannot listen on " + address, 0), 0U)
        << second.err;
}

TEST_F(ServeCommand, RequestsPerClientAreRateLimited)
{
    ServeProcess serve;
    serve.start(storage(), {"--rate-limit", "1"}); // a burst of 2, then 1 per second
    ASSERT_TRUE(serve.listening()) << serve.err();
    auto cli = serve.client();
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 6; ++i) {
        const auto r = cli.Get("/api/v1/experiments");
        ASSERT_TRUE(r);
        if (r->status == 200) {
            ++ok;
        } else {
            EXPECT_EQ(error_message(r, 429),
                      "more than 1 requests per second from 127.0.0.1; slow down");
            EXPECT_EQ(r->get_header_value("Retry-After"), "1");
            ++limited;
        }
    }
    // Six requests take far less than the seconds that would earn more than one more.
    EXPECT_GE(ok, 2);
    EXPECT_LE(ok, 3);
    EXPECT_EQ(ok + limited, 6);
}

TEST_F(ServeCommand, ServesTheDashboardAndTheInstalledChartJs)
{
    ServeProcess serve;
    serve.start(storage());
    ASSERT_TRUE(serve.listening()) << serve.err();
    auto cli = serve.client();
    const auto page = cli.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
    EXPECT_NE(page->body.find("<script src=\"/static/chart.js\"></script>"), std::string::npos);
    EXPECT_EQ(page->body.find("http"), std::string::npos); // nothing from elsewhere
    const auto chart = cli.Get("/static/chart.js");
    ASSERT_TRUE(chart);
    EXPECT_EQ(chart->status, 200);
    EXPECT_EQ(chart->body, read_file(MLOSBENCH_CHARTJS_FILE));
    EXPECT_NE(chart->body.find("Chart.js v"), std::string::npos);
    const auto script = cli.Get("/static/dashboard.js");
    ASSERT_TRUE(script);
    EXPECT_EQ(script->status, 200);
    EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(error_message(cli.Get("/static/passwd"), 404), "no such resource: /static/passwd");
}

} // namespace
