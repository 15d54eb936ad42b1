#pragma once

#include "sql_connection.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mlosbench::detail {

/// A config's stored (param_id, param_value text) rows, by name; NULL values left out.
using ConfigRows = std::vector<std::pair<std::string, std::string>>;

/// The connection of a storage, shared by the storage and the experiments opened from it
/// (which may outlive it): the backend's SqlConnection, the mutex that guards it, and the
/// config cache.
class SharedConnection
{
public:
    explicit SharedConnection(std::unique_ptr<SqlConnection> connection)
        : m_connection(std::move(connection))
    {
    }

    [[nodiscard]] const std::string& location() const { return m_connection->location(); }
    [[nodiscard]] SqlDialect dialect() const { return m_connection->dialect(); }

    /// Runs `body` under the lock. A lost connection is connected again and `body` run again
    /// (its transaction rolled back), for as long as the backend allows; SqlError becomes
    /// Error("LOCATION: WHAT: ...").
    template <class Body> auto locked(const std::string& what, Body&& body)
    {
        const std::lock_guard lock(m_mutex);
        for (;;) {
            try {
                return body();
            } catch (const SqlError& e) {
                if (e.failure() != SqlFailure::connection_lost) {
                    throw Error(location() + ": " + what + ": " + e.what());
                }
                reconnect(what, e);
            }
        }
    }

    /// Under the lock: the connection.
    [[nodiscard]] SqlConnection& sql() { return *m_connection; }
    /// Under the lock: the cached statement of the literal `sql`.
    SqlStatement& statement(const char* sql) { return m_connection->statement(sql); }
    /// Under the lock: the stored rows of a config, or nullptr when there is no such config.
    const ConfigRows* config_rows(std::int64_t config_id);
    /// Under the lock: remembers the rows of a config just written (configs never change).
    void cache_config(std::int64_t config_id, ConfigRows rows)
    {
        m_configs[config_id] = std::move(rows);
    }
    /// Under the lock: forgets a deleted config.
    void forget_config(std::int64_t config_id) { m_configs.erase(config_id); }

    /// The schema version the database had when opened (set by the storage that opened it).
    int previous_version = 0;

private:
    void reconnect(const std::string& what, const SqlError& lost);

    std::mutex m_mutex;
    std::unique_ptr<SqlConnection> m_connection;
    /// Configs never change once written, so their rows are kept (ids are global).
    std::unordered_map<std::int64_t, ConfigRows> m_configs;
};

} // namespace mlosbench::detail
