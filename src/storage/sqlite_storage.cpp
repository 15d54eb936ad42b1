#include "mlosbench/storage/sqlite_storage.hpp"

#include "detail/sha256.hpp"
#include "detail/sqlite_schema.hpp"
#include "mlosbench/storage/sqlite_file.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>

namespace mlosbench {
namespace {

using Micros = std::int64_t;
using Transaction = SQLite::Transaction;
constexpr auto k_immediate = SQLite::TransactionBehavior::IMMEDIATE;

// A collision moves a timestamp by 1 µs; this many moves means the insert cannot succeed.
constexpr int k_max_timestamp_moves = 1000000;

// SQLITE_BUSY despite the busy timeout (a lock held longer than it, or a conflict that SQLite
// resolves by failing one side): a post-metric retries its whole transaction this often.
constexpr int k_busy_attempts = 5;

Micros to_micros(Timestamp time)
{
    return std::chrono::floor<std::chrono::microseconds>(time.time_since_epoch()).count();
}

Timestamp from_micros(Micros micros)
{
    return Timestamp(
        std::chrono::duration_cast<Timestamp::duration>(std::chrono::microseconds(micros)));
}

Timestamp truncate(Timestamp time) { return from_micros(to_micros(time)); }

Timestamp parse_stored_time(const std::string& text)
{
    const auto time = parse_timestamp(text);
    if (!time) {
        throw Error("unreadable timestamp '" + text + "' in the storage");
    }
    return *time;
}

bool is_final(Status status)
{
    return status == Status::succeeded || status == Status::failed || status == Status::timed_out;
}

Status parse_stored_status(const std::string& text)
{
    return parse_status(text).value_or(Status::unknown);
}

std::string status_text(Status status) { return std::string(status_name(status)); }

// PRODUCT.md "Secrets": such values of non-tunable parameters never reach storage.
bool is_secret_name(std::string_view name)
{
    return ends_with_icase(name, "password") || ends_with_icase(name, "secret") ||
           ends_with_icase(name, "token") || ends_with_icase(name, "key");
}

// Values are stored as text, as mlos_bench's str(value) does; null stays NULL.
std::optional<std::string> value_text(const Json& value)
{
    if (value.is_null()) {
        return std::nullopt;
    }
    return json_to_text(value);
}

// The reverse, for metadata and results: numbers and booleans come back typed.
Json text_value(const SQLite::Column& column)
{
    if (column.isNull()) {
        return nullptr;
    }
    const std::string text = column.getString();
    if (text == "true" || text == "True") {
        return true;
    }
    if (text == "false" || text == "False") {
        return false;
    }
    if (!text.empty() && (text.front() == '[' || text.front() == '{')) {
        Json parsed = Json::parse(text, nullptr, false);
        if (!parsed.is_discarded()) {
            return parsed;
        }
    }
    return parse_scalar_text(text);
}

// A tunable value from its stored text, typed by the experiment's tunable (config_param
// holds text only); without a type, numbers are guessed.
TunableValue tunable_value(const std::string& text, std::optional<TunableType> type)
{
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (type == TunableType::categorical) {
        return text;
    }
    if (type == TunableType::integer) {
        std::int64_t number = 0;
        auto [ptr, ec] = std::from_chars(begin, end, number);
        if (ec == std::errc() && ptr == end) {
            return number;
        }
        double real = 0;
        auto [rptr, rec] = std::from_chars(begin, end, real);
        if (rec == std::errc() && rptr == end && std::trunc(real) == real) {
            return static_cast<std::int64_t>(real);
        }
    } else if (type == TunableType::floating) {
        double real = 0;
        auto [ptr, ec] = std::from_chars(begin, end, real);
        if (ec == std::errc() && ptr == end) {
            return real;
        }
    }
    const Json guess = parse_scalar_text(text);
    if (guess.is_number_integer()) {
        return guess.get<std::int64_t>();
    }
    if (guess.is_number()) {
        return guess.get<double>();
    }
    return text;
}

bool process_alive(int pid)
{
    // EPERM: it exists but belongs to someone else. A zombie counts as alive until reaped.
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

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

// Resetting after use matters: a stepped SELECT left un-reset keeps its read transaction
// open, which pins an old snapshot and blocks WAL checkpoints.
class Query
{
public:
    explicit Query(SQLite::Statement& statement) : m_statement(statement) {}
    ~Query() { m_statement.tryReset(); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    Query(Query&&) = delete;
    Query& operator=(Query&&) = delete;

    template <class... Values> Query& bind(const Values&... values)
    {
        int index = 0;
        (bind_one(++index, values), ...);
        return *this;
    }
    bool step() { return m_statement.executeStep(); }
    int exec() { return m_statement.exec(); }
    [[nodiscard]] SQLite::Column column(int index) const { return m_statement.getColumn(index); }

private:
    void bind_one(int index, const std::string& value) { m_statement.bind(index, value); }
    void bind_one(int index, const char* value) { m_statement.bind(index, value); }
    void bind_one(int index, std::int64_t value) { m_statement.bind(index, value); }
    void bind_one(int index, int value) { m_statement.bind(index, value); }
    void bind_one(int index, const std::optional<std::string>& value)
    {
        if (value) {
            m_statement.bind(index, *value);
        } else {
            m_statement.bind(index);
        }
    }

    SQLite::Statement& m_statement;
};

using ConfigRows = std::vector<std::pair<std::string, std::string>>;

} // namespace

namespace detail {

/// The connection, its statement and config caches, and the mutex that guards them all.
struct SqliteConnection
{
    explicit SqliteConnection(const std::string& file_path)
        : path(file_path), db(identified(file_path),
                              SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX)
    {
        detail::configure_connection(db, path.empty() || path == ":memory:");
        previous_version = detail::migrate_schema(db, path);
    }

    /// `file_path`, once it is known to be a file we may write: nothing (not even the journal
    /// mode) changes in a SQLite file that is not ours.
    static const std::string& identified(const std::string& file_path)
    {
        std::error_code ec;
        if (file_path.empty() || file_path == ":memory:" ||
            !std::filesystem::exists(file_path, ec) ||
            std::filesystem::file_size(file_path, ec) == 0) {
            return file_path;
        }
        detail::require_writable_schema(identify_sqlite_file(file_path), file_path);
        return file_path;
    }

    /// A cached prepared statement; the Query resets it when done.
    SQLite::Statement& statement(const char* sql)
    {
        auto& slot = statements[sql];
        if (!slot) {
            slot = std::make_unique<SQLite::Statement>(db, sql);
        }
        slot->tryReset();
        return *slot;
    }

    const ConfigRows* cached_config(std::int64_t config_id)
    {
        const auto it = configs.find(config_id);
        return it == configs.end() ? nullptr : &it->second;
    }

    /// The stored param rows of a config, or nullptr when there is no such config.
    const ConfigRows* config_rows(std::int64_t config_id)
    {
        if (const auto* cached = cached_config(config_id)) {
            return cached;
        }
        {
            Query exists(statement("SELECT 1 FROM config WHERE config_id = ?"));
            if (!exists.bind(config_id).step()) {
                return nullptr;
            }
        }
        ConfigRows rows;
        Query query(statement("SELECT param_id, param_value FROM config_param "
                              "WHERE config_id = ? ORDER BY param_id"));
        query.bind(config_id);
        while (query.step()) {
            if (!query.column(1).isNull()) {
                rows.emplace_back(query.column(0).getString(), query.column(1).getString());
            }
        }
        return &(configs[config_id] = std::move(rows));
    }

    /// Runs `body` under the lock, turning SQLite's exceptions into ours with `what` for context.
    template <class Body> auto locked(const std::string& what, Body&& body)
    {
        const std::lock_guard lock(mutex);
        try {
            return body();
        } catch (const SQLite::Exception& e) {
            throw Error(path + ": " + what + ": " + e.what());
        }
    }

    std::string path;
    int previous_version = 0;
    std::mutex mutex;
    SQLite::Database db;
    // Declared after db: destroyed (finalized) before the connection closes.
    std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> statements;
    // Configs never change once written, so their rows are kept (ids are global to the file).
    std::unordered_map<std::int64_t, ConfigRows> configs;
};

} // namespace detail

namespace {

using Impl = detail::SqliteConnection;

/// How the stored tunable definitions (a tunable-params document) differ from a resuming
/// run's, one phrase per difference.
std::vector<std::string> definition_differences(const Json& stored_doc, const Json& given_doc)
{
    // Plain nlohmann::json sorts keys, so groups and tunables compare whatever their order.
    // A tunable's entry: its group, its definition.
    using Entry = std::pair<std::string, nlohmann::json>;
    const auto index = [](const Json& doc) {
        std::map<std::string, Entry> tunables;
        std::map<std::string, nlohmann::json> costs;
        const nlohmann::json plain = nlohmann::json::parse(doc.dump());
        for (const auto& [group, body] : plain.items()) {
            costs[group] = body.value("cost", nlohmann::json());
            const nlohmann::json params = body.value("params", nlohmann::json::object());
            for (const auto& [name, def] : params.items()) {
                tunables.insert_or_assign(name, Entry{group, def});
            }
        }
        return std::pair{tunables, costs};
    };
    const auto [old_tunables, old_costs] = index(stored_doc);
    const auto [new_tunables, new_costs] = index(given_doc);
    const auto text = [](const nlohmann::json* value) {
        return value == nullptr ? std::string("unset") : value->dump();
    };

    std::vector<std::string> diffs;
    std::set<std::string> names;
    for (const auto& [name, entry] : old_tunables) {
        names.insert(name);
    }
    for (const auto& [name, entry] : new_tunables) {
        names.insert(name);
    }
    for (const auto& name : names) {
        const auto was = old_tunables.find(name);
        const auto now = new_tunables.find(name);
        if (was == old_tunables.end()) {
            diffs.push_back("tunable " + in_quotes(name) + " is new");
            continue;
        }
        if (now == new_tunables.end()) {
            diffs.push_back("tunable " + in_quotes(name) + " is gone");
            continue;
        }
        const auto& [was_group, was_def] = was->second;
        const auto& [now_group, now_def] = now->second;
        if (was_group != now_group) {
            diffs.push_back("tunable " + in_quotes(name) + " moved from group " +
                            in_quotes(was_group) + " to " + in_quotes(now_group));
        }
        std::set<std::string> keys;
        for (const auto& [key, value] : was_def.items()) {
            keys.insert(key);
        }
        for (const auto& [key, value] : now_def.items()) {
            keys.insert(key);
        }
        for (const auto& key : keys) {
            const auto* before = was_def.contains(key) ? &was_def.at(key) : nullptr;
            const auto* after = now_def.contains(key) ? &now_def.at(key) : nullptr;
            if (before == nullptr || after == nullptr || *before != *after) {
                diffs.push_back("tunable " + in_quotes(name) + ": " + key + " was " + text(before) +
                                ", now " + text(after));
            }
        }
    }
    for (const auto& [group, cost] : new_costs) {
        const auto was = old_costs.find(group);
        if (was != old_costs.end() && was->second != cost) {
            diffs.push_back("group " + in_quotes(group) + ": cost was " + text(&was->second) +
                            ", now " + text(&cost));
        }
    }
    return diffs;
}

/// The parameter names of the configs the trials of experiment `id` ran.
std::set<std::string> recorded_parameter_names(Impl& impl, const std::string& id)
{
    std::set<std::string> names;
    Query query(impl.statement("SELECT DISTINCT param_id FROM config_param WHERE config_id IN "
                               "(SELECT config_id FROM trial WHERE exp_id = ?)"));
    query.bind(id);
    while (query.step()) {
        names.insert(query.column(0).getString());
    }
    return names;
}

/// How the tunables a resuming run has differ from the parameter names its stored configs
/// record (nothing to compare when there are none).
std::vector<std::string> name_differences(const std::set<std::string>& recorded,
                                          const TunableGroups& tunables)
{
    std::vector<std::string> diffs;
    if (recorded.empty()) {
        return diffs;
    }
    std::set<std::string> now;
    for (const auto* t : tunables.tunables()) {
        now.insert(t->name());
    }
    std::set<std::string> names = recorded;
    names.insert(now.begin(), now.end());
    for (const auto& name : names) {
        if (!recorded.contains(name)) {
            diffs.push_back("tunable " + in_quotes(name) + " is new");
        } else if (!now.contains(name)) {
            diffs.push_back("tunable " + in_quotes(name) + " is gone");
        }
    }
    return diffs;
}

/// How the stored objectives differ from those of a resuming run.
std::vector<std::string> objective_differences(const std::vector<Objective>& stored,
                                               const ExperimentSpec& spec)
{
    std::map<std::string, std::string> was;
    std::map<std::string, std::string> now;
    for (const auto& o : stored) {
        was[o.name] = o.direction;
    }
    for (const auto& o : spec.objectives) {
        now[o.name] = o.direction;
    }
    std::vector<std::string> diffs;
    for (const auto& [name, direction] : now) {
        const auto it = was.find(name);
        if (it == was.end()) {
            diffs.push_back("objective " + in_quotes(name) + " is new");
        } else if (it->second != direction) {
            diffs.push_back("objective " + in_quotes(name) + ": direction was " + it->second +
                            ", now " + direction);
        }
    }
    for (const auto& [name, direction] : was) {
        if (!now.contains(name)) {
            diffs.push_back("objective " + in_quotes(name) + " is gone");
        }
    }
    return diffs;
}

class SqliteExperiment final : public ExperimentStorage
{
public:
    SqliteExperiment(std::shared_ptr<Impl> impl,
                     std::string id,
                     bool resumed,
                     std::int64_t next_trial_id,
                     std::map<std::string, TunableType> types)
        : m_impl(std::move(impl)), m_id(std::move(id)), m_resumed(resumed),
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
        return m_impl->locked("recording a new trial of experiment " + in_quotes(m_id), [&] {
            Transaction transaction(m_impl->db, k_immediate);
            TrialRecord record;
            record.trial_id = m_next_trial_id;
            record.config_id = config_id(config, config_text);
            record.status = Status::pending;
            record.ts_start = truncate(ts_start);
            record.config = config;
            Query(m_impl->statement(
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
                    Query(m_impl->statement("INSERT INTO trial_param (exp_id, trial_id, "
                                            "param_id, param_value) VALUES (?, ?, ?, ?)"))
                        .bind(m_id, record.trial_id, name, value_text(value))
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
        return m_impl->locked("reading the pending trials of " + in_quotes(m_id), [&] {
            // One read transaction: a consistent snapshot, and one lock for all the reads.
            // Both queries search the (exp_id, status, trial_id) index; an ORDER BY on the
            // IN list would make SQLite walk the experiment's every trial by primary key
            // instead, so the few rows found are sorted here.
            Transaction transaction(m_impl->db);
            auto& statement =
                include_interrupted
                    ? m_impl->statement(
                          "SELECT trial_id, config_id, trial_runner_id, status, ts_start, ts_end "
                          "FROM trial WHERE exp_id = ? AND status IN "
                          "('PENDING', 'READY', 'RUNNING', 'CANCELED')")
                    : m_impl->statement(
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
                    m_impl->statement("SELECT param_id, param_value FROM trial_param "
                                      "WHERE exp_id = ? AND trial_id = ? ORDER BY param_id"));
                query.bind(m_id, t.trial_id);
                while (query.step()) {
                    t.metadata[query.column(0).getString()] = text_value(query.column(1));
                }
            }
            transaction.commit();
            return trials;
        });
    }

    void assign_runner(std::int64_t trial_id, int runner_id) override
    {
        m_impl->locked("assigning trial " + std::to_string(trial_id) + " to a runner", [&] {
            Transaction transaction(m_impl->db, k_immediate);
            const Status status = current_status(trial_id);
            refuse_final(trial_id, status);
            Query(m_impl->statement(
                      "UPDATE trial SET trial_runner_id = ? WHERE exp_id = ? AND trial_id = ?"))
                .bind(runner_id, m_id, trial_id)
                .exec();
            transaction.commit();
        });
    }

    void
    update_trial(std::int64_t trial_id, Status status, Timestamp ts, const Json& results) override
    {
        m_impl->locked("recording the status of trial " + std::to_string(trial_id), [&] {
            Transaction transaction(m_impl->db, k_immediate);
            const Status was = current_status(trial_id);
            refuse_final(trial_id, was);
            const bool has_results = results.is_object() && !results.empty();
            if (has_results && !is_completed(status)) {
                throw Error("trial " + std::to_string(trial_id) + " of experiment " +
                            in_quotes(m_id) + ": results come with a completed status, not " +
                            status_text(status));
            }
            const std::string name = status_text(status);
            insert_moving_time(
                m_impl->statement("INSERT OR IGNORE INTO trial_status (exp_id, trial_id, ts, "
                                  "status) VALUES (?, ?, ?, ?)"),
                trial_id, to_micros(ts), name);
            const std::string when = format_timestamp(ts);
            if (is_completed(status)) {
                Query(m_impl->statement("UPDATE trial SET status = ?, ts_end = ? "
                                        "WHERE exp_id = ? AND trial_id = ?"))
                    .bind(name, when, m_id, trial_id)
                    .exec();
                if (has_results) {
                    for (const auto& [metric, value] : results.items()) {
                        Query(m_impl->statement(
                                  "INSERT OR REPLACE INTO trial_result (exp_id, trial_id, "
                                  "metric_id, metric_value) VALUES (?, ?, ?, ?)"))
                            .bind(m_id, trial_id, metric, value_text(value))
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
                    Query(m_impl->statement("UPDATE trial SET status = ?, ts_start = ?, "
                                            "ts_end = NULL WHERE exp_id = ? AND trial_id = ?"))
                        .bind(name, when, m_id, trial_id)
                        .exec();
                } else {
                    Query(m_impl->statement("UPDATE trial SET status = ?, ts_end = NULL "
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
        m_impl->locked("recording telemetry of trial " + std::to_string(trial_id), [&] {
            Transaction transaction(m_impl->db, k_immediate);
            (void)current_status(trial_id);
            auto& insert = m_impl->statement(
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
                                                       value_text(sample.value));
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
        return m_impl->locked(
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
        m_impl->locked("recording the output of trial " + std::to_string(trial_id), [&] {
            Transaction transaction(m_impl->db, k_immediate);
            (void)current_status(trial_id);
            Query(m_impl->statement("INSERT OR REPLACE INTO trial_output (exp_id, trial_id, "
                                    "stdout_tail, stderr_tail, reason) VALUES (?, ?, ?, ?, ?)"))
                .bind(m_id, trial_id, stdout_tail, stderr_tail, reason)
                .exec();
            transaction.commit();
        });
    }

    [[nodiscard]] std::vector<CompletedTrial> load_completed(std::int64_t after_trial_id) override
    {
        return m_impl->locked("reading the completed trials of " + in_quotes(m_id), [&] {
            Transaction transaction(m_impl->db);
            std::vector<CompletedTrial> trials;
            {
                // A range of the (exp_id, status, trial_id) index: only trials after the id.
                Query query(m_impl->statement(
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
                Query query(
                    m_impl->statement("SELECT metric_id, metric_value FROM trial_result "
                                      "WHERE exp_id = ? AND trial_id = ? ORDER BY metric_id"));
                query.bind(m_id, t.trial_id);
                t.results = Json::object();
                while (query.step()) {
                    // (trial, metric) is the key: each metric comes once.
                    append_new_member(t.results, query.column(0).getString(),
                                      text_value(query.column(1)));
                }
            }
            transaction.commit();
            return trials;
        });
    }

    [[nodiscard]] TunableValues load_config(std::int64_t config_id) override
    {
        auto values = m_impl->locked("reading config " + std::to_string(config_id),
                                     [&] { return typed_config(config_id); });
        if (!values) {
            throw ConfigError("there is no config " + std::to_string(config_id) + " in " +
                              m_impl->path);
        }
        return *values;
    }

    void finish(Status status, Timestamp ts_end) override
    {
        m_impl->locked("finishing experiment " + in_quotes(m_id), [&] {
            Transaction transaction(m_impl->db, k_immediate);
            Query(m_impl->statement("UPDATE experiment SET status = ?, ts_end = ?, "
                                    "driver_pid = NULL WHERE exp_id = ?"))
                .bind(status_text(status), format_timestamp(ts_end), m_id)
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
        Transaction transaction(m_impl->db, k_immediate);
        (void)current_status(trial_id);
        TelemetrySample stored = sample;
        if (cumulative) {
            // The latest value is the one recorded last (the highest rowid; SQLite gives a new
            // row max(rowid) + 1), not the latest-timed: a poster's time is taken before it
            // gets the lock, so posters that race commit out of time order.
            Query last(m_impl->statement(
                "SELECT metric_value FROM trial_telemetry WHERE exp_id = ? AND trial_id = ? "
                "AND metric_id = ? ORDER BY rowid DESC LIMIT 1"));
            if (last.bind(m_id, trial_id, sample.metric).step()) {
                const Json previous = text_value(last.column(0));
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
            m_impl->statement("INSERT OR IGNORE INTO trial_telemetry (exp_id, trial_id, ts, "
                              "metric_id, metric_value) VALUES (?, ?, ?, ?, ?)"),
            trial_id, to_micros(sample.time), sample.metric, value_text(stored.value));
        stored.time = from_micros(used);
        if (metadata) {
            Query(m_impl->statement("INSERT OR REPLACE INTO trial_telemetry_metadata (exp_id, "
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
            Query find(m_impl->statement("SELECT config_id FROM config WHERE config_hash = ?"));
            if (find.bind(hash).step()) {
                return find.column(0).getInt64();
            }
        }
        Query(m_impl->statement("INSERT INTO config (config_hash) VALUES (?)")).bind(hash).exec();
        const std::int64_t id = m_impl->db.getLastInsertRowid();
        ConfigRows rows;
        for (const auto& [name, value] : config) {
            rows.emplace_back(name, to_text(value));
            Query(m_impl->statement("INSERT INTO config_param (config_id, param_id, "
                                    "param_value) VALUES (?, ?, ?)"))
                .bind(id, name, rows.back().second)
                .exec();
        }
        // Cached only once committed would be stricter; a rollback leaves an id that no
        // trial names, and SQLite may hand it out again, so overwrite on every insert.
        m_impl->configs[id] = std::move(rows);
        return id;
    }

    std::optional<TunableValues> typed_config(std::int64_t config_id)
    {
        const ConfigRows* rows = m_impl->config_rows(config_id);
        if (rows == nullptr) {
            return std::nullopt;
        }
        TunableValues values;
        for (const auto& [name, text] : *rows) {
            const auto type = m_types.find(name);
            values[name] = tunable_value(text, type == m_types.end() ? std::nullopt
                                                                     : std::optional(type->second));
        }
        return values;
    }

    Status current_status(std::int64_t trial_id)
    {
        Query query(
            m_impl->statement("SELECT status FROM trial WHERE exp_id = ? AND trial_id = ?"));
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
                        " already ended " + status_text(status));
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
            if (m_impl->db.getChanges() > 0) {
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

    std::shared_ptr<Impl> m_impl;
    std::string m_id;
    bool m_resumed = false;
    std::int64_t m_next_trial_id = 1;
    std::map<std::string, TunableType> m_types;
};

std::map<std::string, TunableType> tunable_types(const TunableGroups& tunables)
{
    std::map<std::string, TunableType> types;
    for (const auto* t : tunables.tunables()) {
        types[t->name()] = t->type();
    }
    return types;
}

std::int64_t next_trial_id(Impl& impl, const std::string& id, std::int64_t first)
{
    Query query(impl.statement("SELECT MAX(trial_id) FROM trial WHERE exp_id = ?"));
    query.bind(id).step();
    return query.column(0).isNull() ? first : query.column(0).getInt64() + 1;
}

void store_definitions(Impl& impl,
                       const std::string& id,
                       const ExperimentSpec& spec,
                       const TunableGroups& tunables)
{
    Query(impl.statement("DELETE FROM objectives WHERE exp_id = ?")).bind(id).exec();
    for (const auto& objective : spec.objectives) {
        Query(impl.statement("INSERT INTO objectives (exp_id, optimization_target, "
                             "optimization_direction, weight) VALUES (?, ?, ?, NULL)"))
            .bind(id, objective.name, objective.direction)
            .exec();
    }
    Query(impl.statement("INSERT OR REPLACE INTO experiment_tunables (exp_id, tunables) "
                         "VALUES (?, ?)"))
        .bind(id, tunables.definitions_json().dump())
        .exec();
}

std::shared_ptr<Impl> connect(const std::string& path)
{
    try {
        return std::make_shared<Impl>(path);
    } catch (const SQLite::Exception& e) {
        throw Error("cannot open storage " + path + ": " + e.what());
    }
}

} // namespace

SqliteStorage::SqliteStorage(const std::string& path) : m_connection(connect(path)) {}

SqliteStorage::~SqliteStorage() = default;

std::string SqliteStorage::location() const { return m_connection->path; }

std::unique_ptr<ExperimentStorage> SqliteStorage::open_experiment(const ExperimentSpec& spec,
                                                                  const TunableGroups& tunables)
{
    const std::string& id = spec.experiment_id;
    const int pid = spec.driver_pid != 0 ? spec.driver_pid : static_cast<int>(::getpid());
    std::vector<std::string> warnings;
    const auto [resumed, next] = m_connection->locked("opening experiment " + in_quotes(id), [&] {
        Impl& impl = *m_connection;
        Transaction transaction(impl.db, k_immediate);
        std::optional<std::pair<std::string, std::optional<int>>> existing;
        {
            Query query(impl.statement("SELECT git_commit, driver_pid FROM experiment "
                                       "WHERE exp_id = ?"));
            if (query.bind(id).step()) {
                existing.emplace(query.column(0).getString(),
                                 query.column(1).isNull()
                                     ? std::nullopt
                                     : std::optional(query.column(1).getInt()));
            }
        }
        if (!existing) {
            Query(impl.statement(
                      "INSERT INTO experiment (exp_id, description, root_env_config, git_repo, "
                      "git_commit, ts_start, ts_end, status, driver_name, driver_pid) "
                      "VALUES (?, ?, ?, ?, ?, ?, NULL, 'RUNNING', ?, ?)"))
                .bind(id, spec.description, spec.root_env_config, spec.git_repo, spec.git_commit,
                      format_timestamp(now()), spec.driver_name, pid)
                .exec();
            store_definitions(impl, id, spec, tunables);
            transaction.commit();
            return std::pair{false, spec.first_trial_id};
        }
        const auto& [stored_commit, driver] = *existing;
        if (driver && *driver != pid) {
            if (process_alive(*driver)) {
                throw ConfigError("experiment " + in_quotes(id) + " is being run by process " +
                                  std::to_string(*driver));
            }
            warnings.push_back("experiment " + in_quotes(id) + " was being run by process " +
                               std::to_string(*driver) + ", which is gone: taking it over");
        }

        std::vector<Objective> stored_objectives;
        {
            Query query(impl.statement("SELECT optimization_target, optimization_direction "
                                       "FROM objectives WHERE exp_id = ? ORDER BY rowid"));
            query.bind(id);
            while (query.step()) {
                stored_objectives.push_back(
                    {query.column(0).getString(), query.column(1).getString()});
            }
        }
        std::optional<Json> stored_tunables;
        {
            Query query(
                impl.statement("SELECT tunables FROM experiment_tunables WHERE exp_id = ?"));
            if (query.bind(id).step()) {
                stored_tunables = Json::parse(query.column(0).getString(), nullptr, false);
            }
        }
        std::vector<std::string> diffs;
        if (stored_tunables && !stored_tunables->is_discarded()) {
            diffs = definition_differences(*stored_tunables, tunables.definitions_json());
        } else {
            // An experiment that mlos_bench made records no tunable definitions, only the
            // values of its configs: the names of those are what must match.
            diffs = name_differences(recorded_parameter_names(impl, id), tunables);
        }
        for (auto& d : objective_differences(stored_objectives, spec)) {
            diffs.push_back(std::move(d));
        }
        if (!diffs.empty()) {
            std::string list;
            for (const auto& d : diffs) {
                list += (list.empty() ? "" : "; ") + d;
            }
            if (!spec.force) {
                throw ConfigError("experiment " + in_quotes(id) + " differs from the stored one: " +
                                  list + "; use --force to resume it anyway");
            }
            warnings.push_back("experiment " + in_quotes(id) +
                               " differs from the stored one, resuming anyway (--force): " + list);
        }
        if (!diffs.empty() || !stored_tunables || stored_tunables->is_discarded()) {
            store_definitions(impl, id, spec, tunables);
        }
        if (stored_commit != spec.git_commit) {
            warnings.push_back("experiment " + in_quotes(id) + " was run at git commit '" +
                               stored_commit + "', now at '" + spec.git_commit + "'");
        }
        Query(impl.statement("UPDATE experiment SET status = 'RUNNING', ts_end = NULL, "
                             "ts_start = COALESCE(ts_start, ?), driver_name = ?, "
                             "driver_pid = ? WHERE exp_id = ?"))
            .bind(format_timestamp(now()), spec.driver_name, pid, id)
            .exec();
        const std::int64_t next_id = next_trial_id(impl, id, spec.first_trial_id);
        transaction.commit();
        return std::pair{true, next_id};
    });
    for (const auto& w : warnings) {
        spdlog::warn("{}", w);
    }
    spdlog::debug("{} experiment '{}' in {}; next trial id {}", resumed ? "resuming" : "new", id,
                  m_connection->path, next);
    return std::make_unique<SqliteExperiment>(m_connection, id, resumed, next,
                                              tunable_types(tunables));
}

std::unique_ptr<ExperimentStorage>
SqliteStorage::attach_experiment(const std::string& experiment_id)
{
    const auto next = m_connection->locked("opening experiment " + in_quotes(experiment_id), [&] {
        Query query(m_connection->statement("SELECT 1 FROM experiment WHERE exp_id = ?"));
        if (!query.bind(experiment_id).step()) {
            throw ConfigError("there is no experiment " + in_quotes(experiment_id) + " in " +
                              m_connection->path);
        }
        return next_trial_id(*m_connection, experiment_id, 1);
    });
    return std::make_unique<SqliteExperiment>(m_connection, experiment_id, true, next,
                                              std::map<std::string, TunableType>{});
}

DeletedRows SqliteStorage::delete_experiment(const std::string& experiment_id, bool dry_run)
{
    const std::string& id = experiment_id;
    return m_connection->locked("deleting experiment " + in_quotes(id), [&] {
        Impl& impl = *m_connection;
        Transaction transaction(impl.db, k_immediate);
        {
            Query query(impl.statement("SELECT driver_pid FROM experiment WHERE exp_id = ?"));
            if (!query.bind(id).step()) {
                throw ConfigError("there is no experiment " + in_quotes(id) + " in " + impl.path);
            }
            if (!query.column(0).isNull()) {
                const int pid = query.column(0).getInt();
                if (pid != static_cast<int>(::getpid()) && process_alive(pid)) {
                    throw ConfigError("experiment " + in_quotes(id) + " is being run by process " +
                                      std::to_string(pid) +
                                      ": stop it before deleting the experiment");
                }
            }
        }
        // The configs only this experiment's trials use, found before its trials go.
        std::vector<std::int64_t> configs;
        {
            SQLite::Statement query(impl.db,
                                    "SELECT DISTINCT config_id FROM trial WHERE exp_id = ?1 AND "
                                    "config_id NOT IN (SELECT config_id FROM trial WHERE "
                                    "exp_id <> ?1)");
            query.bind(1, id);
            while (query.executeStep()) {
                configs.push_back(query.getColumn(0).getInt64());
            }
        }
        // Every table with an exp_id column, ours and mlos_bench's (and any added later), the
        // trial and experiment rows last so foreign keys hold at every step.
        std::vector<std::string> tables;
        bool has_trial = false;
        {
            SQLite::Statement query(impl.db,
                                    "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' "
                                    "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) "
                                    "WHERE name = 'exp_id') ORDER BY m.name");
            while (query.executeStep()) {
                const std::string name = query.getColumn(0).getString();
                if (name == "trial") {
                    has_trial = true;
                } else if (name != "experiment") {
                    tables.push_back(name);
                }
            }
        }
        if (has_trial) {
            tables.emplace_back("trial");
        }
        tables.emplace_back("experiment");
        DeletedRows deleted;
        for (const auto& table : tables) {
            SQLite::Statement del(impl.db,
                                  "DELETE FROM " + double_quote(table) + " WHERE exp_id = ?");
            del.bind(1, id);
            deleted.emplace_back(table, del.exec());
        }
        std::int64_t params = 0;
        std::int64_t config_rows = 0;
        for (const std::int64_t config_id : configs) {
            params += Query(impl.statement("DELETE FROM config_param WHERE config_id = ?"))
                          .bind(config_id)
                          .exec();
            config_rows += Query(impl.statement("DELETE FROM config WHERE config_id = ?"))
                               .bind(config_id)
                               .exec();
        }
        deleted.emplace_back("config", config_rows);
        deleted.emplace_back("config_param", params);
        std::sort(deleted.begin(), deleted.end());
        if (dry_run) {
            return deleted; // the transaction rolls back
        }
        transaction.commit();
        for (const std::int64_t config_id : configs) {
            impl.configs.erase(config_id);
        }
        return deleted;
    });
}

std::unique_ptr<Storage> open_sqlite_storage(const std::string& path)
{
    return std::make_unique<SqliteStorage>(path);
}

int create_update_sqlite_schema(const std::string& path) { return connect(path)->previous_version; }

} // namespace mlosbench
