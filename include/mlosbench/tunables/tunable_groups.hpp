#pragma once

#include "mlosbench/tunables/tunable.hpp"

#include <string>
#include <vector>

namespace mlosbench {

/// Tunables that change together and share a cost (e.g. boot-time vs runtime settings).
struct CovariantGroup
{
    std::string name;
    std::int64_t cost = 0;
    std::string description;
    std::vector<Tunable> params;
};

/// The tunable space of an experiment: covariant groups of tunables with current values.
/// Built once at load time; then copied per trial runner or read concurrently (const).
class TunableGroups
{
public:
    /// Adds the groups of a tunable-params document (group -> cost and params). A group seen before must
    /// have the same cost and tunables; a tunable name used by two groups is an error.
    /// Throws ConfigError naming `file` and the JSON pointer.
    void add_from_json(const Json& doc, const std::string& file);

    [[nodiscard]] const std::vector<CovariantGroup>& groups() const { return m_groups; }
    [[nodiscard]] const CovariantGroup* group(const std::string& name) const;
    [[nodiscard]] std::vector<std::string> group_names() const;
    [[nodiscard]] const Tunable* find(const std::string& name) const;
    [[nodiscard]] Tunable* find(const std::string& name);
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] bool empty() const { return size() == 0; }

    /// Tunables in declaration order, optionally only those of the named groups.
    [[nodiscard]] std::vector<const Tunable*> tunables() const;
    [[nodiscard]] std::vector<const Tunable*> tunables(const std::vector<std::string>& groups) const;

    /// A copy holding only the named groups (unknown names: Error listing the known ones).
    [[nodiscard]] TunableGroups subset(const std::vector<std::string>& groups) const;

    [[nodiscard]] TunableValues values() const;
    [[nodiscard]] TunableValues defaults() const;

    /// Assigns values by name; unknown names and invalid values throw ConfigError.
    void assign(const TunableValues& values);
    /// Applies a tunable-values document: partial assignment, `{}` resets all to defaults.
    void apply_values_json(const Json& doc, const std::string& file);
    void reset();
    /// Every tunable set to a random value of its domain.
    void randomize(std::mt19937_64& rng);

    /// A canonical text of the space and the given values, the same for the same config
    /// whatever the order of groups in the files (the storage hashes it to dedup configs).
    [[nodiscard]] std::string canonical_text(const TunableValues& values) const;
    /// The definitions as a tunable-params document (for compatibility checks on resume).
    [[nodiscard]] Json definitions_json() const;

private:
    std::vector<CovariantGroup> m_groups;
};

} // namespace mlosbench
