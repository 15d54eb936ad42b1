#include "mlosbench/config/class_names.hpp"

#include "config/detail/schema_store.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

namespace mlosbench {
namespace {

/// A class mlosbench provides: our short name and mlos_bench's spellings of it (the module
/// that defines it and every package that re-exports it).
struct ProvidedClass
{
    ConfigKind kind;
    std::string short_name;
    std::vector<std::string> mlos_names;
};

/// The kinds whose configs name a class.
constexpr std::array<ConfigKind, 5> k_class_kinds = {ConfigKind::environment, ConfigKind::service,
                                                     ConfigKind::optimizer, ConfigKind::scheduler,
                                                     ConfigKind::storage};

/// Every `if: {properties: {class: {enum: [...]}}}` of `node`, in document order: the class
/// dispatch of a schema, one branch per class holding every spelling of it.
void collect_class_branches(const Json& node, std::vector<std::vector<std::string>>& branches)
{
    if (node.is_object()) {
        if (const auto cond = node.find("if"); cond != node.end() && cond->is_object()) {
            const Json* names = nullptr;
            if (const auto props = cond->find("properties");
                props != cond->end() && props->is_object()) {
                if (const auto cls = props->find("class");
                    cls != props->end() && cls->is_object() && cls->contains("enum")) {
                    names = &cls->at("enum");
                }
            }
            if (names != nullptr) {
                branches.push_back(names->get<std::vector<std::string>>());
            }
        }
        for (const auto& [key, value] : node.items()) {
            collect_class_branches(value, branches);
        }
    } else if (node.is_array()) {
        for (const auto& item : node) {
            collect_class_branches(item, branches);
        }
    }
}

// The classes as config/schemas/ lists them, read from the embedded schemas on first use: the
// schema that validates a config is the one list of the names config files may use. Each
// area's registry (environment_registry, service_registry, ...) binds the same names to code;
// tests fail when a registry and its schema disagree.
const std::vector<ProvidedClass>& provided_classes()
{
    static const std::vector<ProvidedClass> table = [] {
        std::vector<ProvidedClass> out;
        for (const ConfigKind kind : k_class_kinds) {
            std::vector<std::vector<std::string>> branches;
            collect_class_branches(Json::parse(detail::schema_text(detail::schema_path(kind))),
                                   branches);
            for (auto& branch : branches) {
                // Our short name is the spelling without a module path.
                const auto short_name =
                    std::find_if(branch.begin(), branch.end(),
                                 [](const auto& n) { return n.find('.') == std::string::npos; });
                if (short_name == branch.end()) {
                    throw std::logic_error("a class branch of " +
                                           std::string(detail::schema_path(kind)) +
                                           " has no short name");
                }
                ProvidedClass entry{kind, *short_name, {}};
                for (auto& name : branch) {
                    if (name != entry.short_name) {
                        entry.mlos_names.push_back(std::move(name));
                    }
                }
                out.push_back(std::move(entry));
            }
        }
        return out;
    }();
    return table;
}

/// mlos_bench environments mlosbench does not provide; any `mlos_bench.environments.` path
/// ending in one of these (or the bare name) is unsupported.
constexpr std::array<std::string_view, 5> k_unsupported_environments = {
    "HostEnv", "NetworkEnv", "OSEnv", "SaaSEnv", "VMEnv"};

/// mlos_bench module prefixes and the kind of the classes under them. mlos_bench's test
/// doubles live in `mlos_bench.tests.<area>.`.
constexpr std::array<std::pair<std::string_view, ConfigKind>, 10> k_module_prefixes = {{
    {"mlos_bench.environments.", ConfigKind::environment},
    {"mlos_bench.services.", ConfigKind::service},
    {"mlos_bench.optimizers.", ConfigKind::optimizer},
    {"mlos_bench.schedulers.", ConfigKind::scheduler},
    {"mlos_bench.storage.", ConfigKind::storage},
    {"mlos_bench.tests.environments.", ConfigKind::environment},
    {"mlos_bench.tests.services.", ConfigKind::service},
    {"mlos_bench.tests.optimizers.", ConfigKind::optimizer},
    {"mlos_bench.tests.schedulers.", ConfigKind::scheduler},
    {"mlos_bench.tests.storage.", ConfigKind::storage},
}};

std::string_view last_component(std::string_view cls)
{
    const auto dot = cls.rfind('.');
    return dot == std::string_view::npos ? cls : cls.substr(dot + 1);
}

const ProvidedClass* find_provided(std::string_view cls)
{
    for (const auto& entry : provided_classes()) {
        if (entry.short_name == cls) {
            return &entry;
        }
        for (const auto& name : entry.mlos_names) {
            if (name == cls) {
                return &entry;
            }
        }
    }
    return nullptr;
}

std::optional<ConfigKind> module_kind(std::string_view cls)
{
    for (const auto& [prefix, kind] : k_module_prefixes) {
        if (cls.starts_with(prefix)) {
            return kind;
        }
    }
    return std::nullopt;
}

/// The kind of an unsupported class, or nullopt when `cls` is not one.
std::optional<ConfigKind> unsupported_kind(std::string_view cls)
{
    if (find_provided(cls) != nullptr) {
        return std::nullopt;
    }
    const std::string_view last = last_component(cls);
    const bool bare = last.size() == cls.size();
    const bool from_mlos_bench = cls.starts_with("mlos_bench.");
    if (cls.starts_with("mlos_bench.tests.")) {
        // Test doubles (MockScheduler, mock services...); MockEnv and MockOptimizer are not
        // under mlos_bench.tests, so they never get here.
        return module_kind(cls);
    }
    if ((bare || cls.starts_with("mlos_bench.environments.")) &&
        std::find(k_unsupported_environments.begin(), k_unsupported_environments.end(), last) !=
            k_unsupported_environments.end()) {
        return ConfigKind::environment;
    }
    if (cls.starts_with("mlos_bench.services.remote.azure.") ||
        ((bare || from_mlos_bench) && last.starts_with("Azure") && last.ends_with("Service"))) {
        return ConfigKind::service;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> canonical_class_name(ConfigKind kind, std::string_view cls)
{
    const ProvidedClass* entry = find_provided(cls);
    if (entry == nullptr || entry->kind != kind) {
        return std::nullopt;
    }
    return entry->short_name;
}

bool is_unsupported_class(ConfigKind kind, std::string_view cls)
{
    const auto found = unsupported_kind(cls);
    return found && *found == kind;
}

std::vector<std::string> short_class_names(ConfigKind kind)
{
    std::vector<std::string> names;
    for (const auto& entry : provided_classes()) {
        if (entry.kind == kind) {
            names.emplace_back(entry.short_name);
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> all_class_names(ConfigKind kind)
{
    std::vector<std::string> names;
    for (const auto& entry : provided_classes()) {
        if (entry.kind == kind) {
            names.emplace_back(entry.short_name);
            names.insert(names.end(), entry.mlos_names.begin(), entry.mlos_names.end());
        }
    }
    return names;
}

std::optional<ConfigKind> class_kind(std::string_view cls)
{
    if (const ProvidedClass* entry = find_provided(cls)) {
        return entry->kind;
    }
    if (const auto kind = unsupported_kind(cls)) {
        return kind;
    }
    return module_kind(cls);
}

bool is_supported_storage_driver(std::string_view drivername)
{
    const auto plus = drivername.find('+');
    const std::string_view dialect = drivername.substr(0, plus);
    if (dialect != "sqlite" && dialect != "postgresql") {
        return false;
    }
    if (plus == std::string_view::npos) {
        return true;
    }
    const std::string_view dbapi = drivername.substr(plus + 1);
    return !dbapi.empty() && std::all_of(dbapi.begin(), dbapi.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

} // namespace mlosbench
