#include "mlosbench/config/globals_view.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <utility>

namespace mlosbench {

GlobalsView::GlobalsView(const Parameters& globals)
    : GlobalsView(globals, std::make_shared<std::set<std::string, std::less<>>>())
{
}

GlobalsView::GlobalsView(const Parameters& values,
                         std::shared_ptr<std::set<std::string, std::less<>>> read)
    : m_values(&values), m_read(std::move(read))
{
}

const Parameter* GlobalsView::find(std::string_view name) const
{
    mark_read(name);
    return m_values->find(name);
}

std::optional<std::string> GlobalsView::text(std::string_view name) const
{
    auto value = m_values->text(name);
    if (value) {
        mark_read(name);
    }
    return value;
}

Json GlobalsView::override_existing(Json config, const std::set<std::string>& skip) const
{
    std::set<std::string> replaced;
    Json out = m_values->override_existing(std::move(config), &replaced, skip);
    m_read->insert(replaced.begin(), replaced.end());
    return out;
}

void GlobalsView::mark_read(std::string_view name) const
{
    if (m_read->find(name) == m_read->end()) {
        m_read->emplace(name);
    }
}

GlobalsView GlobalsView::over(const Parameters& values) const { return {values, m_read}; }

std::vector<std::string> GlobalsView::unread() const
{
    std::vector<std::string> out;
    for (const auto& [name, param] : *m_values) {
        if (m_read->find(name) == m_read->end()) {
            out.push_back(name);
        }
    }
    return out;
}

std::int64_t integer_global(const GlobalsView& globals,
                            const std::string& name,
                            std::int64_t minimum,
                            std::int64_t maximum)
{
    const Parameter* p = globals.find(name);
    const Json& v = p->value;
    std::int64_t out = 0;
    if (v.is_number_integer()) {
        out = v.get<std::int64_t>();
    } else if (v.is_string() && parse_scalar_text(v.get<std::string>()).is_number_integer()) {
        out = parse_scalar_text(v.get<std::string>()).get<std::int64_t>();
    } else {
        throw ConfigError(p->source, name, "expected an integer, got " + v.dump());
    }
    if (out < minimum) {
        throw ConfigError(p->source, name,
                          "expected an integer >= " + std::to_string(minimum) + ", got " +
                              std::to_string(out));
    }
    if (out > maximum) {
        throw ConfigError(p->source, name,
                          "expected an integer from " + std::to_string(minimum) + " to " +
                              std::to_string(maximum) + ", got " + std::to_string(out));
    }
    return out;
}

bool bool_setting(const Json& v, const std::string& source, const std::string& name)
{
    if (v.is_boolean()) {
        return v.get<bool>();
    }
    if (v.is_string()) {
        const std::string t = to_lower(v.get<std::string>());
        if (t == "true" || t == "1" || t == "yes" || t == "on") {
            return true;
        }
        if (t == "false" || t == "0" || t == "no" || t == "off") {
            return false;
        }
    }
    if (v.is_number_integer()) {
        return v.get<std::int64_t>() != 0;
    }
    throw ConfigError(source, name, "expected true or false, got " + v.dump());
}

} // namespace mlosbench
