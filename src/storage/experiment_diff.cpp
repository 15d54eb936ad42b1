#include "mlosbench/storage/experiment_diff.hpp"

#include "mlosbench/util/strings.hpp"

#include <map>
#include <utility>

namespace mlosbench {

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

} // namespace mlosbench
