#pragma once

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// The globals as the components read them (docs/architecture.md, "Loading"): each name looked up through the
/// view is recorded as read, so the names nothing read (likely typos, warned about) are
/// known in one place. Copies, and views made by over(), share one record. Does not own the
/// parameters it shows, which must outlive it. Not thread-safe.
class GlobalsView
{
public:
    explicit GlobalsView(const Parameters& globals);

    /// The global `name`, or nullptr; `name` counts as read.
    [[nodiscard]] const Parameter* find(std::string_view name) const;
    /// The value as text for `$name` templating (Parameters::text), or nullopt; `name` counts
    /// as read when it is there.
    [[nodiscard]] std::optional<std::string> text(std::string_view name) const;
    /// Whether there is a global `name`; a check alone does not count as a read.
    [[nodiscard]] bool contains(std::string_view name) const { return m_values->contains(name); }
    /// Parameters::override_existing: every key replaced counts as read.
    [[nodiscard]] Json override_existing(Json config, const std::set<std::string>& skip = {}) const;

    /// Marks `name` as read: for a global the launcher owns without reading its value (one a
    /// dedicated flag replaces, one it sets itself).
    void mark_read(std::string_view name) const;

    /// The values themselves, for reads that do not count (copies, the well-known ids).
    [[nodiscard]] const Parameters& values() const { return *m_values; }
    /// A view of `values` (globals with more parameters layered in, e.g. a composite's for
    /// its children) that records into this view's record.
    [[nodiscard]] GlobalsView over(const Parameters& values) const;

    /// The globals of the view that nothing read, in their order.
    [[nodiscard]] std::vector<std::string> unread() const;

private:
    GlobalsView(const Parameters& values, std::shared_ptr<std::set<std::string, std::less<>>> read);

    const Parameters* m_values;
    std::shared_ptr<std::set<std::string, std::less<>>> m_read;
};

/// The global `name` (which must exist) as an integer in [minimum, maximum]: a JSON integer
/// or text that reads as one. ConfigError naming its source otherwise.
[[nodiscard]] std::int64_t
integer_global(const GlobalsView& globals,
               const std::string& name,
               std::int64_t minimum,
               std::int64_t maximum = std::numeric_limits<std::int64_t>::max());

/// A setting read as true or false: a boolean, 0/1, or true/false/yes/no/on/off text (any
/// case). ConfigError naming `source` and `name` otherwise.
[[nodiscard]] bool
bool_setting(const Json& value, const std::string& source, const std::string& name);

} // namespace mlosbench
