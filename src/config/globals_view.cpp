#include "mlosbench/config/globals_view.hpp"

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

} // namespace mlosbench
