#pragma once

#include "mlosbench/util/json.hpp"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlosbench {

/// A parameter's value and where it came from ("const_args of env.jsonc", "--key", ...).
struct Parameter
{
    Json value;
    std::string source;
};

/// Named parameters in the order they were first set; setting an existing name replaces its
/// value and source but keeps its place.
class Parameters
{
public:
    using Entry = std::pair<std::string, Parameter>;

    void set(const std::string& name, Json value, std::string source);
    void erase(const std::string& name);
    [[nodiscard]] const Parameter* find(std::string_view name) const;
    [[nodiscard]] bool contains(std::string_view name) const { return find(name) != nullptr; }
    /// The value, or null when absent.
    [[nodiscard]] const Json& value(std::string_view name) const;
    [[nodiscard]] std::size_t size() const { return m_entries.size(); }
    [[nodiscard]] bool empty() const { return m_entries.empty(); }
    [[nodiscard]] auto begin() const { return m_entries.begin(); }
    [[nodiscard]] auto end() const { return m_entries.end(); }
    [[nodiscard]] std::vector<std::string> names() const;

    /// The values as one JSON object.
    [[nodiscard]] Json to_json() const;
    /// The value as text (json_to_text) for `$name` templating; nullopt when absent.
    [[nodiscard]] std::optional<std::string> text(std::string_view name) const;

    /// mlos_bench's merge_parameters: `config` with the keys it already has (except those in
    /// `skip`) replaced by these parameters' values. Each key replaced is added to `used`.
    [[nodiscard]] Json override_existing(Json config, std::set<std::string>* used = nullptr,
                                         const std::set<std::string>& skip = {}) const;

private:
    std::vector<Entry> m_entries;
    /// Position of each name in m_entries, so that a file of many globals loads in n log n.
    std::map<std::string, std::size_t, std::less<>> m_index;
};

/// True for names ending in "password", "secret", "token" or "key", in any case.
[[nodiscard]] bool is_secret_name(std::string_view name);

/// The value for display: secrets (by name) masked as "******", others as compact JSON.
[[nodiscard]] std::string display_value(std::string_view name, const Json& value);

} // namespace mlosbench
