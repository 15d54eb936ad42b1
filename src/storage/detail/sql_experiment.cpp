#include "sql_experiment.hpp"

#include "mlosbench/config/parameters.hpp"
#include "sha256.hpp"
#include "stored_values.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <spdlog/spdlog.h>
#include <utility>

namespace mlosbench::detail {
namespace {

// The first and last trial ids of an experiment (?1), NULL for none, each read off the
// primary key's (exp_id, trial_id) order. Not MIN and MAX: SQLite scans every trial for both
// in one SELECT, and PostgreSQL, without statistics for a table that grew since its last
// ANALYZE, reads them through the (exp_id, status, trial_id) index, scanning all trials too.
constexpr const char* k_trial_id_range =
    "SELECT (SELECT trial_id FROM trial WHERE exp_id = ?1 ORDER BY exp_id, trial_id LIMIT 1), "
    "(SELECT trial_id FROM trial WHERE exp_id = ?1 ORDER BY exp_id DESC, trial_id DESC "
    "LIMIT 1)";

// A collision moves a timestamp by 1 µs; this many moves means the insert cannot succeed.
constexpr int k_max_timestamp_moves = 1000000;

// SQLITE_BUSY despite the busy timeout (a lock held longer than it, or a conflict that SQLite
// resolves by failing one side): a post-metric retries its whole transaction this often.
constexpr int k_busy_attempts = 5;

// A stored value read back for the run (decode_typed_value); NULL is null.
Json typed_value_of(const SqlColumn& column)
{
    return column.is_null() ? Json(nullptr) : decode_typed_value(column.text());
}

// previous + delta, integral when both are.
// A cumulative sum; one that leaves the range of int64 (integers) or of double is refused
// rather than wrapped or stored as inf (which reads back as null).
Json add_numbers(const std::string& metric, const Json& previous, const Json& delta)
{
    const auto out_of_range = [&] {
        return ConfigError("", "VALUE",
                           "metric " + in_quotes(metric) + ": " + json_to_text(previous) + " + " +
                               json_to_text(delta) +
                               " is out of range (a cumulative sum of integers stays within "
                               "-9223372036854775808..9223372036854775807, of other numbers "
                               "within about +-1.8e308)");
    };
    if (previous.is_number_integer() && delta.is_number_integer()) {
        std::int64_t sum = 0;
        if (__builtin_add_overflow(previous.get<std::int64_t>(), delta.get<std::int64_t>(), &sum)) {
            throw out_of_range();
        }
        return sum;
    }
    const double sum = previous.get<double>() + delta.get<double>();
    if (!std::isfinite(sum)) {
        throw out_of_range();
    }
    return sum;
}

// The records of one experiment: trial recording (new trials, status
// changes, results, telemetry, output) and the reads the run needs back, each under the
// connection's lock and in one transaction.
class SqlExperiment final : public ExperimentStorage
{
public:
    SqlExperiment(std::shared_ptr<SharedConnection> connection,
                  std::string id,
                  bool resumed,
                  WorkerContext worker,
                  std::map<std::string, TunableType> types)
        : m_connection(std::move(connection)), m_id(std::move(id)), m_resumed(resumed),
          m_worker(std::move(worker)), m_types(std::move(types))
    {
    }

    [[nodiscard]] const std::string& experiment_id() const override { return m_id; }
    [[nodiscard]] bool resumed() const override { return m_resumed; }
    [[nodiscard]] std::int64_t worker_id() const override { return m_worker.worker_id; }

    std::optional<TrialRecord> new_trial(const TunableValues& config,
                                         const std::string& config_text,
                                         const Json& metadata,
                                         Timestamp ts_start,
                                         std::int64_t max_total) override
    {
        require_worker("make a trial");
        return m_connection->locked(
            "recording a new trial of experiment " + in_quotes(m_id),
            [&]() -> std::optional<TrialRecord> {
                // IMMEDIATE: the next id is read and taken under the file's write lock, so
                // workers in other processes never take the same one.
                SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
                TrialRecord record;
                record.trial_id = m_worker.first_trial_id;
                {
                    // Ids are given out one after the other and trials never deleted one by
                    // one, so an experiment's ids are first..last: two lookups of the primary
                    // key count them.
                    Query ids(m_connection->statement(k_trial_id_range));
                    ids.bind(m_id).step();
                    if (!ids.column(1).is_null()) {
                        const std::int64_t count =
                            ids.column(1).int64() - ids.column(0).int64() + 1;
                        if (max_total > 0 && count >= max_total) {
                            return std::nullopt;
                        }
                        record.trial_id = ids.column(1).int64() + 1;
                    }
                }
                record.config_id = config_id(config, config_text);
                record.status = Status::pending;
                record.ts_start = truncate_to_micros(ts_start);
                record.config = config;
                Query(m_connection->statement(
                          "INSERT INTO trial (exp_id, trial_id, config_id, trial_runner_id, "
                          "ts_start, ts_end, status) VALUES (?, ?, ?, NULL, ?, NULL, 'PENDING')"))
                    .bind(m_id, record.trial_id, record.config_id, format_timestamp(ts_start))
                    .exec();
                Query(m_connection->statement(
                          "INSERT INTO trial_claim (exp_id, trial_id, worker_id) VALUES (?, ?, ?)"))
                    .bind(m_id, record.trial_id, m_worker.worker_id)
                    .exec();
                if (metadata.is_object()) {
                    for (const auto& [name, value] : metadata.items()) {
                        if (is_secret_name(name)) {
                            spdlog::debug("trial {}: not storing secret metadata '{}'",
                                          record.trial_id, name);
                            continue;
                        }
                        Query(m_connection->statement(
                                  "INSERT INTO trial_param (exp_id, trial_id, param_id, "
                                  "param_value) VALUES (?, ?, ?, ?)"))
                            .bind(m_id, record.trial_id, name, encode_value(value))
                            .exec();
                        record.metadata[name] = value;
                    }
                }
                transaction.commit();
                return record;
            });
    }

    [[nodiscard]] std::vector<TrialRecord> claim_trials() override
    {
        require_worker("claim trials");
        std::vector<RunningWorker> lost;
        auto trials = m_connection->locked("claiming the trials of " + in_quotes(m_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
            const WorkerCensus census =
                take_census(*m_connection, m_id, m_connection->sql().clock(),
                            m_worker.lease_timeout, m_worker.host, m_worker.worker_id);
            declare_lost(*m_connection, m_id, census.dead);
            lost = census.dead;
            std::vector<TrialRecord> free;
            for (auto& [record, holder] : unfinished_trials()) {
                if (holder == m_worker.worker_id) {
                    continue;
                }
                if (holder && census.is_live(*holder)) {
                    continue;
                }
                Query(m_connection->statement(
                          "INSERT INTO trial_claim (exp_id, trial_id, worker_id) VALUES (?, ?, ?) "
                          "ON CONFLICT (exp_id, trial_id) DO UPDATE SET worker_id = "
                          "excluded.worker_id"))
                    .bind(m_id, record.trial_id, m_worker.worker_id)
                    .exec();
                free.push_back(std::move(record));
            }
            complete_records(free);
            transaction.commit();
            return free;
        });
        for (const auto& w : lost) {
            spdlog::warn("experiment '{}': worker {} ({}) stopped renewing its lease or is gone: "
                         "its unfinished trials run again here",
                         m_id, w.worker_id, describe_worker(w.host, w.pid));
        }
        return trials;
    }

    bool heartbeat() override
    {
        if (m_worker.worker_id == 0) {
            return true;
        }
        return m_connection->locked(
            "renewing the lease of worker " + std::to_string(m_worker.worker_id), [&] {
                SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
                std::string state;
                {
                    Query query(m_connection->statement("SELECT state FROM experiment_worker WHERE "
                                                        "exp_id = ? AND worker_id = ?"));
                    if (query.bind(m_id, m_worker.worker_id).step()) {
                        state = query.column(0).text();
                    }
                }
                Query(m_connection->statement("UPDATE experiment_worker SET ts_heartbeat = ?, "
                                              "state = CASE WHEN state = 'finished' THEN "
                                              "state ELSE 'running' END WHERE exp_id = ? AND "
                                              "worker_id = ?"))
                    .bind(format_timestamp(m_connection->sql().clock()), m_id, m_worker.worker_id)
                    .exec();
                transaction.commit();
                return state != "lost";
            });
    }

    [[nodiscard]] std::vector<TrialRecord> others_in_flight() override
    {
        return m_connection->locked("reading the trials in flight of " + in_quotes(m_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::read, m_id);
            const WorkerCensus census =
                take_census(*m_connection, m_id, m_connection->sql().clock(),
                            m_worker.lease_timeout, m_worker.host, m_worker.worker_id);
            std::vector<TrialRecord> held;
            for (auto& [record, holder] : unfinished_trials()) {
                if (holder && *holder != m_worker.worker_id && census.is_live(*holder)) {
                    held.push_back(std::move(record));
                }
            }
            complete_records(held);
            transaction.commit();
            return held;
        });
    }

    [[nodiscard]] TrialCounts trial_counts() override
    {
        // Cheap however many trials there are: the id range (as new_trial) minus the few
        // unfinished ones, which the (exp_id, status, trial_id) index finds.
        return m_connection->locked("counting the trials of " + in_quotes(m_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::read, m_id);
            TrialCounts counts;
            {
                Query ids(m_connection->statement(k_trial_id_range));
                ids.bind(m_id).step();
                if (!ids.column(1).is_null()) {
                    counts.last_id = ids.column(1).int64();
                    counts.total = counts.last_id - ids.column(0).int64() + 1;
                }
            }
            Query unfinished(m_connection->statement(
                "SELECT COUNT(*), MIN(trial_id) FROM trial WHERE exp_id = ? AND status IN "
                "('UNKNOWN', 'PENDING', 'READY', 'RUNNING', 'CANCELED')"));
            unfinished.bind(m_id).step();
            counts.finished = counts.total - unfinished.column(0).int64();
            if (!unfinished.column(1).is_null()) {
                counts.oldest_unfinished = unfinished.column(1).int64();
            }
            transaction.commit();
            return counts;
        });
    }

    void assign_runner(std::int64_t trial_id, int runner_id) override
    {
        m_connection->locked("assigning trial " + std::to_string(trial_id) + " to a runner", [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
            const Status status = held_status(trial_id);
            refuse_final(trial_id, status);
            Query(m_connection->statement(
                      "UPDATE trial SET trial_runner_id = ? WHERE exp_id = ? AND trial_id = ?"))
                .bind(runner_id, m_id, trial_id)
                .exec();
            transaction.commit();
        });
    }

    void
    update_trial(std::int64_t trial_id, Status status, Timestamp ts, const Json& results) override
    {
        m_connection->locked("recording the status of trial " + std::to_string(trial_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
            const Status was = held_status(trial_id);
            refuse_final(trial_id, was);
            const bool has_results = results.is_object() && !results.empty();
            if (has_results && !is_completed(status)) {
                throw Error("trial " + std::to_string(trial_id) + " of experiment " +
                            in_quotes(m_id) + ": results come with a completed status, not " +
                            stored_status_text(status));
            }
            const std::string name = stored_status_text(status);
            insert_moving_time(
                m_connection->statement("INSERT INTO trial_status (exp_id, trial_id, ts, status) "
                                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"),
                trial_id, to_micros(ts), name);
            const std::string when = format_timestamp(ts);
            if (is_completed(status)) {
                Query(m_connection->statement("UPDATE trial SET status = ?, ts_end = ? "
                                              "WHERE exp_id = ? AND trial_id = ?"))
                    .bind(name, when, m_id, trial_id)
                    .exec();
                if (has_results) {
                    for (const auto& [metric, value] : results.items()) {
                        Query(m_connection->statement(
                                  "INSERT INTO trial_result (exp_id, trial_id, metric_id, "
                                  "metric_value) VALUES (?, ?, ?, ?) ON CONFLICT (exp_id, "
                                  "trial_id, metric_id) DO UPDATE SET metric_value = "
                                  "excluded.metric_value"))
                            .bind(m_id, trial_id, metric, encode_value(value))
                            .exec();
                    }
                }
            } else {
                // As mlos_bench: ts_start follows the trial out of PENDING/READY. A trial that
                // runs again gets a new start too, so its duration is that of the run that
                // finishes it: out of CANCELED (an interrupt), and RUNNING again while RUNNING
                // (a driver that crashed mid-trial; one run tells RUNNING once). The status
                // history keeps both runs.
                const bool restart = was == Status::pending || was == Status::ready ||
                                     was == Status::canceled || was == Status::unknown ||
                                     (was == Status::running && status == Status::running);
                if (restart) {
                    Query(
                        m_connection->statement("UPDATE trial SET status = ?, ts_start = ?, "
                                                "ts_end = NULL WHERE exp_id = ? AND trial_id = ?"))
                        .bind(name, when, m_id, trial_id)
                        .exec();
                } else {
                    Query(m_connection->statement("UPDATE trial SET status = ?, ts_end = NULL "
                                                  "WHERE exp_id = ? AND trial_id = ?"))
                        .bind(name, m_id, trial_id)
                        .exec();
                }
            }
            transaction.commit();
        });
    }

    void add_telemetry(std::int64_t trial_id, const std::vector<TelemetrySample>& samples) override
    {
        m_connection->locked("recording telemetry of trial " + std::to_string(trial_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
            (void)held_status(trial_id);
            auto& insert = m_connection->statement(
                "INSERT INTO trial_telemetry (exp_id, trial_id, ts, metric_id, metric_value) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
            // Where the next sample of a burst at one (time, metric) should try first, so n
            // equal samples cost n inserts, not n^2/2.
            std::map<std::pair<std::string, Micros>, Micros> next_free;
            for (const auto& sample : samples) {
                const Micros wanted = to_micros(sample.time);
                const auto key = std::pair{sample.metric, wanted};
                const auto it = next_free.find(key);
                const Micros start = it == next_free.end() ? wanted : it->second;
                const Micros used = insert_moving_time(insert, trial_id, start, sample.metric,
                                                       encode_value(sample.value));
                next_free[key] = used + 1;
                note_latest(trial_id, sample.metric, used);
            }
            transaction.commit();
        });
    }

    TelemetrySample post_telemetry(std::int64_t trial_id,
                                   const TelemetrySample& sample,
                                   bool cumulative,
                                   const std::optional<std::string>& metadata,
                                   PostTime when) override
    {
        if (!sample.value.is_number()) {
            throw Error("metric " + in_quotes(sample.metric) + ": value " +
                        in_quotes(json_to_text(sample.value)) + " is not a number");
        }
        return m_connection->locked(
            "posting metric " + in_quotes(sample.metric) + " of trial " + std::to_string(trial_id),
            [&] {
                for (int attempt = 1;; ++attempt) {
                    try {
                        return post_once(trial_id, sample, cumulative, metadata, when);
                    } catch (const SqlError& e) {
                        if (e.failure() != SqlFailure::busy || attempt == k_busy_attempts) {
                            throw;
                        }
                        spdlog::debug("storage busy, retrying ({})", e.what());
                    }
                }
            });
    }

    void save_trial_output(std::int64_t trial_id,
                           const std::string& stdout_tail,
                           const std::string& stderr_tail,
                           const std::string& reason) override
    {
        m_connection->locked("recording the output of trial " + std::to_string(trial_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
            (void)held_status(trial_id);
            Query(m_connection->statement(
                      "INSERT INTO trial_output (exp_id, trial_id, stdout_tail, stderr_tail, "
                      "reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT (exp_id, trial_id) DO UPDATE "
                      "SET stdout_tail = excluded.stdout_tail, stderr_tail = "
                      "excluded.stderr_tail, reason = excluded.reason"))
                .bind(m_id, trial_id, stdout_tail, stderr_tail, reason)
                .exec();
            transaction.commit();
        });
    }

    [[nodiscard]] std::vector<CompletedTrial> load_completed(std::int64_t after_trial_id) override
    {
        return m_connection->locked("reading the completed trials of " + in_quotes(m_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::read, m_id);
            std::vector<CompletedTrial> trials;
            {
                // A range of the (exp_id, status, trial_id) index: only trials after the id.
                Query query(m_connection->statement(
                    "SELECT trial_id, config_id, status FROM trial WHERE exp_id = ? AND "
                    "status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT') AND trial_id > ? "
                    "ORDER BY trial_id"));
                query.bind(m_id, after_trial_id);
                while (query.step()) {
                    CompletedTrial t;
                    t.trial_id = query.column(0).int64();
                    t.config_id = query.column(1).int64();
                    t.status = parse_stored_status(query.column(2).text());
                    trials.push_back(std::move(t));
                }
            }
            for (auto& t : trials) {
                t.config = typed_config(t.config_id).value_or(TunableValues{});
                if (t.status != Status::succeeded) {
                    continue;
                }
                Query query(m_connection->statement(
                    "SELECT metric_id, metric_value FROM trial_result "
                    "WHERE exp_id = ? AND trial_id = ? ORDER BY metric_id"));
                query.bind(m_id, t.trial_id);
                t.results = Json::object();
                while (query.step()) {
                    // (trial, metric) is the key: each metric comes once.
                    append_new_member(t.results, query.column(0).text(),
                                      typed_value_of(query.column(1)));
                }
            }
            transaction.commit();
            return trials;
        });
    }

    [[nodiscard]] TunableValues load_config(std::int64_t config_id) override
    {
        auto values = m_connection->locked("reading config " + std::to_string(config_id),
                                           [&] { return typed_config(config_id); });
        if (!values) {
            throw ConfigError("there is no config " + std::to_string(config_id) + " in " +
                              m_connection->location());
        }
        return *values;
    }

    void finish(Status status, Timestamp ts_end) override
    {
        require_worker("finish the experiment");
        m_connection->locked("finishing experiment " + in_quotes(m_id), [&] {
            SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
            Query(m_connection->statement("UPDATE experiment_worker SET state = 'finished', "
                                          "ts_end = ? WHERE exp_id = ? AND worker_id = ?"))
                .bind(format_timestamp(m_connection->sql().clock()), m_id, m_worker.worker_id)
                .exec();
            const WorkerCensus census =
                take_census(*m_connection, m_id, m_connection->sql().clock(),
                            m_worker.lease_timeout, m_worker.host, m_worker.worker_id);
            if (census.live.empty()) {
                Query(m_connection->statement("UPDATE experiment SET status = ?, ts_end = ?, "
                                              "driver_pid = NULL WHERE exp_id = ?"))
                    .bind(stored_status_text(status), format_timestamp(ts_end), m_id)
                    .exec();
            } else {
                spdlog::debug("experiment '{}': {} other worker(s) still at work, leaving it "
                              "RUNNING",
                              m_id, census.live.size());
            }
            transaction.commit();
        });
    }

private:
    // Under the lock: one post_telemetry attempt, one IMMEDIATE transaction, so the read of
    // a cumulative metric's latest value and the write of the new one are atomic.
    TelemetrySample post_once(std::int64_t trial_id,
                              const TelemetrySample& sample,
                              bool cumulative,
                              const std::optional<std::string>& metadata,
                              PostTime when)
    {
        SqlTransaction transaction(m_connection->sql(), SqlLock::write, m_id);
        (void)held_status(trial_id);
        TelemetrySample stored = sample;
        if (when == PostTime::when_recorded) {
            // Under the write lock: posts that raced get times in the order they are recorded.
            stored.time = now();
        }
        if (cumulative) {
            // The latest value is the one recorded last, not the latest-timed: a poster's time
            // is taken before it gets the lock, so posters that race commit out of time
            // order. SQLite gives a new row max(rowid) + 1, so the highest rowid is the one;
            // PostgreSQL keeps no such order, so trial_metric_latest says which (a sample
            // that mlos_bench recorded is not in it: then the latest-timed one).
            Query last(m_connection->statement(
                m_connection->dialect() == SqlDialect::sqlite
                    ? "SELECT metric_value FROM trial_telemetry WHERE exp_id = ? AND trial_id = "
                      "? AND metric_id = ? ORDER BY rowid DESC LIMIT 1"
                    : "SELECT t.metric_value FROM trial_telemetry t LEFT JOIN "
                      "trial_metric_latest l ON l.exp_id = t.exp_id AND l.trial_id = t.trial_id "
                      "AND l.metric_id = t.metric_id WHERE t.exp_id = ? AND t.trial_id = ? AND "
                      "t.metric_id = ? AND (l.ts IS NULL OR l.ts = t.ts) ORDER BY t.ts DESC "
                      "LIMIT 1"));
            if (last.bind(m_id, trial_id, sample.metric).step()) {
                const Json previous = typed_value_of(last.column(0));
                if (!previous.is_number()) {
                    throw Error("experiment " + in_quotes(m_id) + ", trial " +
                                std::to_string(trial_id) + ": cannot add to metric " +
                                in_quotes(sample.metric) + ": its latest value " +
                                in_quotes(json_to_text(previous)) + " is not a number");
                }
                stored.value = add_numbers(sample.metric, previous, sample.value);
            }
        }
        const Micros used = insert_moving_time(
            m_connection->statement("INSERT INTO trial_telemetry (exp_id, trial_id, ts, metric_id, "
                                    "metric_value) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
            trial_id, to_micros(stored.time), sample.metric, encode_value(stored.value));
        stored.time = from_micros(used);
        note_latest(trial_id, sample.metric, used);
        if (metadata) {
            Query(m_connection->statement(
                      "INSERT INTO trial_telemetry_metadata (exp_id, trial_id, ts, metric_id, "
                      "metadata) VALUES (?, ?, ?, ?, ?) ON CONFLICT (exp_id, trial_id, ts, "
                      "metric_id) DO UPDATE SET metadata = excluded.metadata"))
                .bind(m_id, trial_id, format_timestamp(stored.time), sample.metric, *metadata)
                .exec();
        }
        transaction.commit();
        return stored;
    }

    // Under the lock, in a transaction: the config id for this text, inserting it if new.
    std::int64_t config_id(const TunableValues& config, const std::string& config_text)
    {
        const std::string hash = detail::sha256_hex(config_text);
        const auto find = [&]() -> std::optional<std::int64_t> {
            Query query(
                m_connection->statement("SELECT config_id FROM config WHERE config_hash = ?"));
            if (query.bind(hash).step()) {
                return query.column(0).int64();
            }
            return std::nullopt;
        };
        if (const auto id = find()) {
            return *id;
        }
        // Configs are shared by experiments, whose writers do not wait for each other on
        // PostgreSQL: one that inserted the same config first wins, and its id is used.
        const std::int64_t inserted =
            Query(m_connection->statement("INSERT INTO config (config_hash) VALUES (?) "
                                          "ON CONFLICT (config_hash) DO NOTHING"))
                .bind(hash)
                .exec();
        if (inserted == 0) {
            return find().value();
        }
        const std::int64_t id = m_connection->sql().last_insert_id();
        ConfigRows rows;
        for (const auto& [name, value] : config) {
            rows.emplace_back(name, to_text(value));
            Query(m_connection->statement("INSERT INTO config_param (config_id, param_id, "
                                          "param_value) VALUES (?, ?, ?)"))
                .bind(id, name, rows.back().second)
                .exec();
        }
        // Cached only once committed would be stricter; a rollback leaves an id that no
        // trial names, and SQLite may hand it out again, so overwrite on every insert.
        m_connection->cache_config(id, std::move(rows));
        return id;
    }

    std::optional<TunableValues> typed_config(std::int64_t config_id)
    {
        const ConfigRows* rows = m_connection->config_rows(config_id);
        if (rows == nullptr) {
            return std::nullopt;
        }
        TunableValues values;
        for (const auto& [name, text] : *rows) {
            const auto type = m_types.find(name);
            values[name] = decode_tunable_value(
                text, type == m_types.end() ? std::nullopt : std::optional(type->second));
        }
        return values;
    }

    // Under the lock, in a transaction: the status of a trial this worker may record into;
    // ConfigError for an unknown trial, LeaseLost when another worker holds it (an attached
    // process records into any trial).
    Status held_status(std::int64_t trial_id)
    {
        Query query(m_connection->statement(
            "SELECT t.status, c.worker_id FROM trial t LEFT JOIN trial_claim c ON c.exp_id = "
            "t.exp_id AND c.trial_id = t.trial_id WHERE t.exp_id = ? AND t.trial_id = ?"));
        if (!query.bind(m_id, trial_id).step()) {
            throw ConfigError("experiment " + in_quotes(m_id) + " has no trial " +
                              std::to_string(trial_id));
        }
        const Status status = parse_stored_status(query.column(0).text());
        if (m_worker.worker_id != 0 && !query.column(1).is_null() &&
            query.column(1).int64() != m_worker.worker_id) {
            throw lease_lost(trial_id, query.column(1).int64());
        }
        return status;
    }

    // Under the lock: the error for a trial that worker `holder` took over.
    LeaseLost lease_lost(std::int64_t trial_id, std::int64_t holder)
    {
        std::string who = "worker " + std::to_string(holder);
        Query query(m_connection->statement(
            "SELECT hostname, pid FROM experiment_worker WHERE exp_id = ? AND worker_id = ?"));
        if (query.bind(m_id, holder).step()) {
            who += " (" + describe_worker(query.column(0).text(), query.column(1).integer()) + ")";
        }
        return LeaseLost("trial " + std::to_string(trial_id) + " of experiment " + in_quotes(m_id) +
                         " was taken over by " + who + " when the lease of worker " +
                         std::to_string(m_worker.worker_id) + " lapsed: its record is dropped");
    }

    void require_worker(const char* what) const
    {
        if (m_worker.worker_id == 0) {
            throw Error("experiment " + in_quotes(m_id) + ": a process attached to it (" +
                        "post-metric) cannot " + what);
        }
    }

    // Under the lock, in a transaction: the unfinished trials of the experiment by id, each
    // with the worker that holds it (nullopt: none), without their configs and metadata.
    std::vector<std::pair<TrialRecord, std::optional<std::int64_t>>> unfinished_trials()
    {
        // The (exp_id, status, trial_id) index finds them; an ORDER BY on the IN list would
        // make SQLite walk the experiment's every trial by primary key instead, so the few
        // rows found are sorted here.
        std::vector<std::pair<TrialRecord, std::optional<std::int64_t>>> trials;
        Query query(m_connection->statement(
            "SELECT t.trial_id, t.config_id, t.trial_runner_id, t.status, t.ts_start, t.ts_end, "
            "c.worker_id FROM trial t LEFT JOIN trial_claim c ON c.exp_id = t.exp_id AND "
            "c.trial_id = t.trial_id WHERE t.exp_id = ? AND t.status IN ('PENDING', 'READY', "
            "'RUNNING', 'CANCELED')"));
        query.bind(m_id);
        while (query.step()) {
            TrialRecord t;
            t.trial_id = query.column(0).int64();
            t.config_id = query.column(1).int64();
            if (!query.column(2).is_null()) {
                t.runner_id = query.column(2).integer();
            }
            t.status = parse_stored_status(query.column(3).text());
            t.ts_start = parse_stored_time(query.column(4).text());
            if (!query.column(5).is_null()) {
                t.ts_end = parse_stored_time(query.column(5).text());
            }
            trials.emplace_back(std::move(t), query.column(6).is_null()
                                                  ? std::nullopt
                                                  : std::optional(query.column(6).int64()));
        }
        std::sort(trials.begin(), trials.end(),
                  [](const auto& a, const auto& b) { return a.first.trial_id < b.first.trial_id; });
        return trials;
    }

    // Under the lock, in a transaction: fills in the configs and metadata of `trials`.
    void complete_records(std::vector<TrialRecord>& trials)
    {
        for (auto& t : trials) {
            t.config = typed_config(t.config_id).value_or(TunableValues{});
            Query query(
                m_connection->statement("SELECT param_id, param_value FROM trial_param "
                                        "WHERE exp_id = ? AND trial_id = ? ORDER BY param_id"));
            query.bind(m_id, t.trial_id);
            while (query.step()) {
                t.metadata[query.column(0).text()] = typed_value_of(query.column(1));
            }
        }
    }

    // Under the lock, in a transaction: `metric` of the trial was recorded last at `time`
    // (PostgreSQL only: SQLite's rowid tells the order of the rows for free).
    void note_latest(std::int64_t trial_id, const std::string& metric, Micros time)
    {
        if (m_connection->dialect() == SqlDialect::sqlite) {
            return;
        }
        Query(m_connection->statement(
                  "INSERT INTO trial_metric_latest (exp_id, trial_id, metric_id, ts) VALUES (?, "
                  "?, ?, ?) ON CONFLICT (exp_id, trial_id, metric_id) DO UPDATE SET ts = "
                  "excluded.ts"))
            .bind(m_id, trial_id, metric, format_timestamp(from_micros(time)))
            .exec();
    }

    void refuse_final(std::int64_t trial_id, Status status) const
    {
        if (is_final(status)) {
            throw Error("trial " + std::to_string(trial_id) + " of experiment " + in_quotes(m_id) +
                        " already ended " + stored_status_text(status));
        }
    }

    // Inserts (exp_id, trial_id, ts, rest...) with ON CONFLICT DO NOTHING, moving ts by 1 µs while
    // it collides with a stored row; returns the time used.
    template <class... Rest>
    Micros insert_moving_time(SqlStatement& insert,
                              std::int64_t trial_id,
                              Micros start,
                              const Rest&... rest)
    {
        for (Micros t = start; t < start + k_max_timestamp_moves; ++t) {
            Query query(insert);
            if (query.bind(m_id, trial_id, format_timestamp(from_micros(t)), rest...).exec() > 0) {
                if (t != start) {
                    spdlog::debug("trial {}: timestamp moved by {} us to avoid a collision",
                                  trial_id, t - start);
                }
                return t;
            }
        }
        throw Error("trial " + std::to_string(trial_id) + ": no free timestamp after " +
                    format_timestamp(from_micros(start)));
    }

    std::shared_ptr<SharedConnection> m_connection;
    std::string m_id;
    bool m_resumed = false;
    WorkerContext m_worker;
    std::map<std::string, TunableType> m_types;
};

} // namespace

std::unique_ptr<ExperimentStorage> make_sql_experiment(std::shared_ptr<SharedConnection> connection,
                                                       std::string experiment_id,
                                                       bool resumed,
                                                       WorkerContext worker,
                                                       std::map<std::string, TunableType> types)
{
    return std::make_unique<SqlExperiment>(std::move(connection), std::move(experiment_id), resumed,
                                           std::move(worker), std::move(types));
}

WorkerCensus take_census(SharedConnection& connection,
                         const std::string& exp_id,
                         Timestamp now,
                         std::chrono::milliseconds lease,
                         const std::string& host,
                         std::int64_t self)
{
    WorkerCensus census;
    Query query(connection.statement("SELECT worker_id, hostname, pid, ts_heartbeat FROM "
                                     "experiment_worker WHERE exp_id = ? AND state = 'running' "
                                     "ORDER BY worker_id"));
    query.bind(exp_id);
    while (query.step()) {
        RunningWorker w{query.column(0).int64(), query.column(1).text(), query.column(2).integer(),
                        parse_stored_time(query.column(3).text())};
        if (w.worker_id == self) {
            continue;
        }
        (is_live(w, now, lease, host) ? census.live : census.dead).push_back(std::move(w));
    }
    return census;
}

void declare_lost(SharedConnection& connection,
                  const std::string& exp_id,
                  const std::vector<RunningWorker>& dead)
{
    for (const auto& w : dead) {
        Query(connection.statement("UPDATE experiment_worker SET state = 'lost' WHERE exp_id = ? "
                                   "AND worker_id = ? AND state = 'running'"))
            .bind(exp_id, w.worker_id)
            .exec();
    }
}

} // namespace mlosbench::detail
