#include "shared_connection.hpp"

#include <spdlog/spdlog.h>

namespace mlosbench::detail {

const ConfigRows* SharedConnection::config_rows(std::int64_t config_id)
{
    if (const auto it = m_configs.find(config_id); it != m_configs.end()) {
        return &it->second;
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
        if (!query.column(1).is_null()) {
            rows.emplace_back(query.column(0).text(), query.column(1).text());
        }
    }
    return &(m_configs[config_id] = std::move(rows));
}

void SharedConnection::reconnect(const std::string& what, const SqlError& lost)
{
    spdlog::warn("{}: the connection to the database was lost while {} ({}): connecting again",
                 location(), what, lost.what());
    try {
        m_connection->reconnect(lost);
    } catch (const Error& e) {
        throw Error(location() + ": " + what + ": " + e.what());
    }
    spdlog::info("{}: connected again; {} once more", location(), what);
}

} // namespace mlosbench::detail
