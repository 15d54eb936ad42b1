#include "mlosbench/config/parameters.hpp"

#include "mlosbench/util/strings.hpp"

#include <algorithm>

namespace mlosbench {

void Parameters::set(const std::string& name, Json value, std::string source)
{
    const auto it = m_index.find(name);
    if (it != m_index.end()) {
        m_entries[it->second].second = Parameter{std::move(value), std::move(source)};
        return;
    }
    m_index.emplace(name, m_entries.size());
    m_entries.emplace_back(name, Parameter{std::move(value), std::move(source)});
}

void Parameters::erase(const std::string& name)
{
    if (m_index.count(name) == 0) {
        return;
    }
    m_entries.erase(std::remove_if(m_entries.begin(), m_entries.end(),
                                   [&](const Entry& e) { return e.first == name; }),
                    m_entries.end());
    m_index.clear();
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        m_index.emplace(m_entries[i].first, i);
    }
}

const Parameter* Parameters::find(std::string_view name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second].second;
}

const Json& Parameters::value(std::string_view name) const
{
    static const Json k_null;
    const Parameter* p = find(name);
    return p == nullptr ? k_null : p->value;
}

std::vector<std::string> Parameters::names() const
{
    std::vector<std::string> out;
    out.reserve(m_entries.size());
    for (const auto& entry : m_entries) {
        out.push_back(entry.first);
    }
    return out;
}

Json Parameters::to_json() const
{
    Json out = Json::object();
    for (const auto& [key, param] : m_entries) {
        out[key] = param.value;
    }
    return out;
}

std::optional<std::string> Parameters::text(std::string_view name) const
{
    const Parameter* p = find(name);
    if (p == nullptr) {
        return std::nullopt;
    }
    return json_to_text(p->value);
}

Json Parameters::override_existing(Json config, std::set<std::string>* used,
                                   const std::set<std::string>& skip) const
{
    for (auto& [key, value] : config.items()) {
        if (skip.count(key) != 0) {
            continue;
        }
        if (const Parameter* p = find(key)) {
            value = p->value;
            if (used != nullptr) {
                used->insert(key);
            }
        }
    }
    return config;
}

bool is_secret_name(std::string_view name)
{
    for (std::string_view suffix : {"password", "secret", "token", "key"}) {
        if (ends_with_icase(name, suffix)) {
            return true;
        }
    }
    return false;
}

std::string display_value(std::string_view name, const Json& value)
{
    if (is_secret_name(name) && !value.is_null()) {
        return "******";
    }
    return value.dump();
}

} // namespace mlosbench
