#include "sqlite_experiment.hpp"

#include "mlosbench/config/parameters.hpp"
#include "sha256.hpp"
#include "stored_values.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <utility>

namespace mlosbench::detail {
namespace {

using Transaction = SQLite::Transaction;

// A collision moves a timestamp by 1 µs; this many moves means the insert cannot succeed.
constexpr int k_max_timestamp_moves = 1000000;

// SQLITE_BUSY despite the busy timeout (a lock held longer than it, or a conflict that SQLite
// resolves by failing one side): a post-metric retries its whole transaction this often.
constexpr int k_busy_attempts = 5;

// A stored value read back for the run (decode_typed_value); NULL is null.
Json typed_value_of(const SQLite::Column& column)
{
    return column.isNull() ? Json(nullptr) : decode_typed_value(column.getString());
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

// The records of one experiment in a SQLite file: trial recording (new trials, status
// changes, results, telemetry, output) and the reads the run needs back, each under the
// connection's lock and in one transaction.
class SqliteExperiment final : public ExperimentStorage
{
public:
    SqliteExperiment(std::shared_ptr<SqliteConnection> connection,
                     std::string id,
                     bool resumed,
                     std::int64_t next_trial_id,
                     std::map<std::string, TunableType> types)
        : m_connection(std::move(connection)), m_id(std::move(id)), m_resumed(resumed),
          m_next_trial_id(next_trial_id), m_types(std::move(types))
    {
    }

    [[nodiscard]] const std::string& experiment_id() const override { return m_id; }
    [[nodiscard]] bool resumed() const override { return m_resumed; }

    TrialRecord new_trial(const TunableValues& config,
                          const std::string& config_text,
                          const Json& metadata,
                          Timestamp ts_start) override
    {
        return m_connection->locked("recording a new trial of experiment " + in_quotes(m_id), [&] {
            Transaction transaction(m_connection->db, k_immediate);
            TrialRecord record;
            record.trial_id = m_next_trial_id;
            record.config_id = config_id(config, config_text);
            record.status = Status::pending;
            record.ts_start = truncate_to_micros(ts_start);
            record.config = config;
            Query(m_connection->statement(
                      "INSERT INTO trial (exp_id, trial_id, config_id, trial_runner_id, "
                      "ts_start, ts_end, status) VALUES (?, ?, ?, NULL, ?, NULL, 'PENDING')"))
                .bind(m_id, record.trial_id, record.config_id, format_timestamp(ts_start))
                .exec();
            if (metadata.is_object()) {
                for (const auto& [name, value] : metadata.items()) {
                    if (is_secret_name(name)) {
                        spdlog::debug("trial {}: not storing secret metadata '{}'", record.trial_id,
                                      name);
                        continue;
                    }
                    Query(m_connection->statement("INSERT INTO trial_param (exp_id, trial_id, "
                                                  "param_id, param_value) VALUES (?, ?, ?, ?)"))
                        .bind(m_id, record.trial_id, name, encode_value(value))
                        .exec();
                    record.metadata[name] = value;
                }
            }
            transaction.commit();
            ++m_next_trial_id;
            return record;
        });
    }

    [[nodiscard]] std::vector<TrialRecord> pending_trials(bool include_interrupted) override
    {
        return m_connection->locked("reading the pending trials of " + in_quotes(m_id), [&] {
            // One read transaction: a consistent snapshot, and one lock for all the reads.
            // Both queries search the (exp_id, status, trial_id) index; an ORDER BY on the
            // IN list would make SQLite walk the experiment's every trial by primary key
            // instead, so the few rows found are sorted here.
            Transaction transaction(m_connection->db);
            auto& statement =
                include_interrupted
                    ? m_connection->statement(
                          "SELECT trial_id, config_id, trial_runner_id, status, ts_start, ts_end "
                          "FROM trial WHERE exp_id = ? AND status IN "
                          "('PENDING', 'READY', 'RUNNING', 'CANCELED')")
                    : m_connection->statement(
                          "SELECT trial_id, config_id, trial_runner_id, status, ts_start, ts_end "
                          "FROM trial WHERE exp_id = ? AND status = 'PENDING'");
            std::vector<TrialRecord> trials;
            {
                Query query(statement);
                query.bind(m_id);
                while (query.step()) {
                    TrialRecord t;
                    t.trial_id = query.column(0).getInt64();
                    t.config_id = query.column(1).getInt64();
                    if (!query.column(2).isNull()) {
                        t.runner_id = query.column(2).getInt();
                    }
                    t.status = parse_stored_status(query.column(3).getString());
                    t.ts_start = parse_stored_time(query.column(4).getString());
                    if (!query.column(5).isNull()) {
                        t.ts_end = parse_stored_time(query.column(5).getString());
                    }
                    trials.push_back(std::move(t));
                }
            }
            std::sort(trials.begin(), trials.end(),
                      [](const auto& a, const auto& b) { return a.trial_id < b.trial_id; });
            for (auto& t : trials) {
                t.config = typed_config(t.config_id).value_or(TunableValues{});
                Query query(
                    m_connection->statement("SELECT param_id, param_value FROM trial_param "
                                            "WHERE exp_id = ? AND trial_id = ? ORDER BY param_id"));
                query.bind(m_id, t.trial_id);
                while (query.step()) {
                    t.metadata[query.column(0).getString()] = typed_value_of(query.column(1));
                }
            }
            transaction.commit();
            return trials;
        });
    }

    void assign_runner(std::int64_t trial_id, int runner_id) override
    {
        m_connection->locked("assigning trial " + std::to_string(trial_id) + " to a runner", [&] {
            Transaction transaction(m_connection->db, k_immediate);
            const Status status = current_status(trial_id);
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
            Transaction transaction(m_connection->db, k_immediate);
            const Status was = current_status(trial_id);
            refuse_final(trial_id, was);
            const bool has_results = results.is_object() && !results.empty();
            if (has_results && !is_completed(status)) {
                throw Error("trial " + std::to_string(trial_id) + " of experiment " +
                            in_quotes(m_id) + ": results come with a completed status, not " +
                            stored_status_text(status));
            }
            const std::string name = stored_status_text(status);
            insert_moving_time(
                m_connection->statement("INSERT OR IGNORE INTO trial_status (exp_id, trial_id, ts, "
                                        "status) VALUES (?, ?, ?, ?)"),
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
                                  "INSERT OR REPLACE INTO trial_result (exp_id, trial_id, "
                                  "metric_id, metric_value) VALUES (?, ?, ?, ?)"))
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
            Transaction transaction(m_connection->db, k_immediate);
            (void)current_status(trial_id);
            auto& insert = m_connection->statement(
                "INSERT OR IGNORE INTO trial_telemetry (exp_id, trial_id, ts, metric_id, "
                "metric_value) VALUES (?, ?, ?, ?, ?)");
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
            }
            transaction.commit();
        });
    }

    TelemetrySample post_telemetry(std::int64_t trial_id,
                                   const TelemetrySample& sample,
                                   bool cumulative,
                                   const std::optional<std::string>& metadata) override
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
                        return post_once(trial_id, sample, cumulative, metadata);
                    } catch (const SQLite::Exception& e) {
                        if (e.getErrorCode() != SQLITE_BUSY || attempt == k_busy_attempts) {
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
            Transaction transaction(m_connection->db, k_immediate);
            (void)current_status(trial_id);
            Query(
                m_connection->statement("INSERT OR REPLACE INTO trial_output (exp_id, trial_id, "
                                        "stdout_tail, stderr_tail, reason) VALUES (?, ?, ?, ?, ?)"))
                .bind(m_id, trial_id, stdout_tail, stderr_tail, reason)
                .exec();
            transaction.commit();
        });
    }

    [[nodiscard]] std::vector<CompletedTrial> load_completed(std::int64_t after_trial_id) override
    {
        return m_connection->locked("reading the completed trials of " + in_quotes(m_id), [&] {
            Transaction transaction(m_connection->db);
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
                    t.trial_id = query.column(0).getInt64();
                    t.config_id = query.column(1).getInt64();
                    t.status = parse_stored_status(query.column(2).getString());
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
                    append_new_member(t.results, query.column(0).getString(),
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
                              m_connection->path);
        }
        return *values;
    }

    void finish(Status status, Timestamp ts_end) override
    {
        m_connection->locked("finishing experiment " + in_quotes(m_id), [&] {
            Transaction transaction(m_connection->db, k_immediate);
            Query(m_connection->statement("UPDATE experiment SET status = ?, ts_end = ?, "
                                          "driver_pid = NULL WHERE exp_id = ?"))
                .bind(stored_status_text(status), format_timestamp(ts_end), m_id)
                .exec();
            transaction.commit();
        });
    }

private:
    // Under the lock: one post_telemetry attempt, one IMMEDIATE transaction, so the read of
    // a cumulative metric's latest value and the write of the new one are atomic.
    TelemetrySample post_once(std::int64_t trial_id,
                              const TelemetrySample& sample,
                              bool cumulative,
                              const std::optional<std::string>& metadata)
    {
        Transaction transaction(m_connection->db, k_immediate);
        (void)current_status(trial_id);
        TelemetrySample stored = sample;
        if (cumulative) {
            // The latest value is the one recorded last (the highest rowid; SQLite gives a new
            // row max(rowid) + 1), not the latest-timed: a poster's time is taken before it
            // gets the lock, so posters that race commit out of time order.
            Query last(m_connection->statement(
                "SELECT metric_value FROM trial_telemetry WHERE exp_id = ? AND trial_id = ? "
                "AND metric_id = ? ORDER BY rowid DESC LIMIT 1"));
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
            m_connection->statement("INSERT OR IGNORE INTO trial_telemetry (exp_id, trial_id, ts, "
                                    "metric_id, metric_value) VALUES (?, ?, ?, ?, ?)"),
            trial_id, to_micros(sample.time), sample.metric, encode_value(stored.value));
        stored.time = from_micros(used);
        if (metadata) {
            Query(m_connection->statement(
                      "INSERT OR REPLACE INTO trial_telemetry_metadata (exp_id, "
                      "trial_id, ts, metric_id, metadata) VALUES (?, ?, ?, ?, ?)"))
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
        {
            Query find(
                m_connection->statement("SELECT config_id FROM config WHERE config_hash = ?"));
            if (find.bind(hash).step()) {
                return find.column(0).getInt64();
            }
        }
        Query(m_connection->statement("INSERT INTO config (config_hash) VALUES (?)"))
            .bind(hash)
            .exec();
        const std::int64_t id = m_connection->db.getLastInsertRowid();
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
        m_connection->configs[id] = std::move(rows);
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

    Status current_status(std::int64_t trial_id)
    {
        Query query(
            m_connection->statement("SELECT status FROM trial WHERE exp_id = ? AND trial_id = ?"));
        if (!query.bind(m_id, trial_id).step()) {
            throw ConfigError("experiment " + in_quotes(m_id) + " has no trial " +
                              std::to_string(trial_id));
        }
        return parse_stored_status(query.column(0).getString());
    }

    void refuse_final(std::int64_t trial_id, Status status) const
    {
        if (is_final(status)) {
            throw Error("trial " + std::to_string(trial_id) + " of experiment " + in_quotes(m_id) +
                        " already ended " + stored_status_text(status));
        }
    }

    // Inserts (exp_id, trial_id, ts, rest...) with INSERT OR IGNORE, moving ts by 1 µs while
    // it collides with a stored row; returns the time used.
    template <class... Rest>
    Micros insert_moving_time(SQLite::Statement& insert,
                              std::int64_t trial_id,
                              Micros start,
                              const Rest&... rest)
    {
        for (Micros t = start; t < start + k_max_timestamp_moves; ++t) {
            Query query(insert);
            query.bind(m_id, trial_id, format_timestamp(from_micros(t)), rest...).exec();
            if (m_connection->db.getChanges() > 0) {
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

    std::shared_ptr<SqliteConnection> m_connection;
    std::string m_id;
    bool m_resumed = false;
    std::int64_t m_next_trial_id = 1;
    std::map<std::string, TunableType> m_types;
};

} // namespace

std::unique_ptr<ExperimentStorage>
make_sqlite_experiment(std::shared_ptr<SqliteConnection> connection,
                       std::string experiment_id,
                       bool resumed,
                       std::int64_t next_trial_id,
                       std::map<std::string, TunableType> types)
{
    return std::make_unique<SqliteExperiment>(std::move(connection), std::move(experiment_id),
                                              resumed, next_trial_id, std::move(types));
}

} // namespace mlosbench::detail
