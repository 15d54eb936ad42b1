// mlosbench list [KIND]: the classes configs may name, from the class registries.
#include "commands.hpp"
#include "mlosbench/config/class_names.hpp"
#include "mlosbench/environments/environment_registry.hpp"
#include "mlosbench/optimizers/optimizer_registry.hpp"
#include "mlosbench/schedulers/scheduler_registry.hpp"
#include "mlosbench/services/service_registry.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/strings.hpp"

#include <algorithm>
#include <iostream>
#include <span>
#include <string>
#include <vector>

namespace mlosbench::app {
namespace {

struct ClassLine
{
    std::string name;
    std::vector<std::string> aliases; ///< mlos_bench's spellings
    std::string description;
};

struct Kind
{
    const char* plural;
    std::vector<ClassLine> (*classes)();
};

template <typename Row>
std::vector<ClassLine> lines_of(std::span<const Row> rows)
{
    std::vector<ClassLine> lines;
    for (const Row& row : rows) {
        lines.push_back({std::string(row.short_name),
                         std::vector<std::string>(row.mlos_names.begin(), row.mlos_names.end()),
                         std::string(row.description)});
    }
    std::sort(lines.begin(), lines.end(),
              [](const ClassLine& a, const ClassLine& b) { return a.name < b.name; });
    return lines;
}

// Storage has one class, whose driver picks the database; its spellings are the schema's.
std::vector<ClassLine> storage_lines()
{
    ClassLine line{"SqlStorage", {},
                   "SQL storage in a SQLite file (drivername \"sqlite\") or a PostgreSQL "
                   "database (\"postgresql\"); --storage F.db or postgresql://USER@HOST/DB "
                   "names one directly"};
    for (const auto& name : all_class_names(ConfigKind::storage)) {
        if (name != line.name) {
            line.aliases.push_back(name);
        }
    }
    return {line};
}

const std::vector<Kind>& kinds()
{
    static const std::vector<Kind> k_kinds = {
        {"environments", [] { return lines_of(environment_classes()); }},
        {"services", [] { return lines_of(service_classes()); }},
        {"optimizers", [] { return lines_of(optimizer_classes()); }},
        {"schedulers", [] { return lines_of(scheduler_classes()); }},
        {"storage", storage_lines},
    };
    return k_kinds;
}

/// The kind `word` names, singular or plural ("optimizer", "optimizers").
const Kind& find_kind(const std::string& word)
{
    std::vector<std::string> names;
    for (const Kind& kind : kinds()) {
        const std::string plural = kind.plural;
        if (word == plural || word + "s" == plural) {
            return kind;
        }
        names.push_back(plural);
    }
    std::string all;
    for (const auto& n : names) {
        all += (all.empty() ? "" : ", ") + n;
    }
    throw ConfigError("", "KIND",
                      "unknown kind '" + word + "'" + did_you_mean(word, names) + " (expected " +
                          all + ")");
}

} // namespace

int list_command(const std::vector<std::string>& args)
{
    CLI::App app("List the classes a config's \"class\" may name, with mlos_bench's spellings of "
                 "each and what it does.",
                 "mlosbench list");
    std::string kind_word;
    bool json = false;
    app.add_option("KIND", kind_word,
                   "environments, services, optimizers, schedulers or storage (default: all)");
    app.add_flag("--json", json, "Print the classes as a JSON array");
    if (parse_args(app, args)) {
        return 0;
    }
    std::vector<const Kind*> shown;
    if (kind_word.empty()) {
        for (const Kind& kind : kinds()) {
            shown.push_back(&kind);
        }
    } else {
        shown.push_back(&find_kind(kind_word));
    }
    if (json) {
        Json out = Json::array();
        for (const Kind* kind : shown) {
            for (const ClassLine& c : kind->classes()) {
                out.push_back({{"kind", kind->plural},
                               {"class", c.name},
                               {"mlos_bench", c.aliases},
                               {"description", c.description}});
            }
        }
        std::cout << json_dump(out, 2) << "\n";
        return 0;
    }
    bool first = true;
    for (const Kind* kind : shown) {
        std::cout << (first ? "" : "\n") << kind->plural << "\n";
        first = false;
        for (const ClassLine& c : kind->classes()) {
            std::cout << "  " << c.name << std::string(c.name.size() < 26 ? 26 - c.name.size() : 1, ' ')
                      << c.description << "\n";
            for (const auto& alias : c.aliases) {
                std::cout << "  " << std::string(26, ' ') << "also " << alias << "\n";
            }
        }
    }
    return 0;
}

} // namespace mlosbench::app
