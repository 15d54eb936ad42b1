#include "detail/environment_loader.hpp"

#include "mlosbench/config/template.hpp"
#include "mlosbench/environments/environment_registry.hpp"
#include "mlosbench/environments/local_env.hpp"
#include "mlosbench/services/local_exec_service.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <variant>

namespace fs = std::filesystem;

namespace mlosbench::detail {
namespace {

const char* const k_well_known[] = {"experiment_id", "trial_id", "trial_runner_id"};

// An include graph that names the same files over and over (a diamond of depth 30 is 2^30
// environments) is refused here rather than built.
constexpr std::size_t k_max_environments = 10'000;

// Keys of an environment's `config` that globals never replace.
const std::set<std::string> k_structural_keys = {"const_args", "required_args", "tunable_params",
                                                 "children", "include_children"};

std::string index_pointer(const std::string& base, const char* key, std::size_t i)
{
    return base + "/" + key + "/" + std::to_string(i);
}

std::string describe_source(const std::string& file) { return "const_args of " + file; }

} // namespace

EnvironmentSpec EnvironmentLoader::load_root(const std::string& spec,
                                             const Referrer& referrer,
                                             const GlobalsView& globals,
                                             const ServiceSet& services)
{
    const LoadedConfig loaded = m_loader.load(spec, ConfigKind::environment, referrer);
    std::error_code ec;
    const std::string canonical_path = fs::weakly_canonical(loaded.origin, ec).string();
    m_include_stack.push_back(canonical_path.empty() ? loaded.origin : canonical_path);
    EnvironmentSpec root =
        load(loaded.doc, loaded.origin, "", loaded.dir, globals, nullptr, services);
    m_include_stack.pop_back();
    root.walk([&](const EnvironmentSpec& env, int) {
        check_groups(env);
        check_scripts(env);
    });
    return root;
}

EnvironmentSpec EnvironmentLoader::load(const Json& doc,
                                        const std::string& file,
                                        const std::string& pointer,
                                        const fs::path& dir,
                                        const GlobalsView& globals,
                                        const Parameters* parent_params,
                                        const ServiceSet& services)
{
    if (++m_environments > k_max_environments) {
        throw ConfigError(file, pointer,
                          "the environment tree has more than " +
                              std::to_string(k_max_environments) +
                              " environments: do include_children name the same files many "
                              "times?");
    }
    EnvironmentSpec spec;
    spec.file = file;
    spec.pointer = pointer;
    spec.name = doc.at("name").get<std::string>();
    const std::string cls = doc.at("class").get<std::string>();
    const EnvironmentClass* env_class = find_environment_class(cls);
    if (env_class == nullptr) {
        throw ConfigError(file, pointer + "/class", "unknown environment class '" + cls + "'");
    }
    spec.class_name = std::string(env_class->short_name);
    const Json config = doc.value("config", Json::object());
    const std::string config_ptr = pointer + "/config";

    // Tunables and services this environment brings in.
    if (doc.contains("include_tunables")) {
        const Json& list = doc.at("include_tunables");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const LoadedConfig t =
                m_loader.load(list[i].get<std::string>(), ConfigKind::tunable_params,
                              {file, index_pointer(pointer, "include_tunables", i), dir});
            m_tunables.add_from_json(t.doc, t.origin);
        }
    }
    spec.services = services;
    if (doc.contains("include_services")) {
        const Json& list = doc.at("include_services");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const LoadedConfig s =
                m_loader.load(list[i].get<std::string>(), ConfigKind::service,
                              {file, index_pointer(pointer, "include_services", i), dir});
            spec.services.add_from_json(s.doc, s.origin, globals);
        }
    }

    // Covariant groups, with `$ref`s looked up in the globals' tunable_params_map.
    if (config.contains("tunable_params")) {
        const Json& list = config.at("tunable_params");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string item = list[i].get<std::string>();
            if (item.empty() || item[0] != '$') {
                spec.tunable_params.push_back(item);
                continue;
            }
            const std::string ref = item.substr(1);
            const Parameter* map = globals.find("tunable_params_map");
            const std::string where = index_pointer(config_ptr, "tunable_params", i);
            if (map == nullptr || !map->value.is_object()) {
                throw ConfigError(file, where,
                                  "'" + item + "' refers to tunable_params_map, but no globals "
                                  "file or --tunable-params-map defines one");
            }
            if (!map->value.contains(ref)) {
                std::vector<std::string> keys;
                for (const auto& [k, v] : map->value.items()) {
                    keys.push_back(k);
                }
                throw ConfigError(file, where,
                                  "'" + item + "' is not in tunable_params_map (" +
                                      map->source + ")" + did_you_mean(ref, keys));
            }
            for (const auto& group : map->value.at(ref)) {
                spec.tunable_params.push_back(group.get<std::string>());
            }
        }
    }

    // const_args: the environment's own values; a child's "$name" takes its parent's value.
    Parameters& params = spec.params;
    if (config.contains("const_args")) {
        for (const auto& [key, value] : config.at("const_args").items()) {
            if (parent_params != nullptr && value.is_string()) {
                const std::string& text = value.get_ref<const std::string&>();
                if (text.size() > 1 && text[0] == '$') {
                    if (const Parameter* p = parent_params->find(text.substr(1))) {
                        params.set(key, p->value, p->source);
                        continue;
                    }
                }
            }
            params.set(key, value, describe_source(file));
        }
    }

    // Globals override what the environment declares, and must supply required_args.
    for (const auto& name : params.names()) {
        if (const Parameter* g = globals.find(name)) {
            params.set(name, g->value, g->source);
        }
    }
    if (config.contains("required_args")) {
        const Json& list = config.at("required_args");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string name = list[i].get<std::string>();
            if (params.contains(name)) {
                continue;
            }
            if (const Parameter* g = globals.find(name)) {
                params.set(name, g->value, g->source);
                continue;
            }
            // A required arg that is a tunable of this environment comes with the trial.
            const auto own = m_tunables.tunables(spec.tunable_params);
            if (std::any_of(own.begin(), own.end(),
                            [&](const Tunable* t) { return t->name() == name; })) {
                continue;
            }
            if (std::find(std::begin(k_well_known), std::end(k_well_known), name) !=
                std::end(k_well_known)) {
                continue;
            }
            throw ConfigError(file, index_pointer(config_ptr, "required_args", i),
                              "missing required parameter '" + name +
                                  "': set it in a globals file, with --" + name +
                                  " VALUE, or in const_args");
        }
    }
    for (const char* name : k_well_known) {
        if (!params.contains(name)) {
            // Only a value until a trial sets its own: not a read (a --trial_runner_id that
            // nothing else reads is reported unused).
            const Parameter* g = globals.values().find(name);
            params.set(name, g != nullptr ? g->value : Json(),
                       g != nullptr ? g->source : "set for each trial");
        }
    }

    // $var expansion: against the parameters themselves, then the globals (no process env).
    Parameters expanded;
    for (const auto& [param_name, param] : params) {
        // A structured binding is not captured by a lambda before clang 16: a plain reference.
        const std::string& name = param_name;
        const VariableLookup lookup = [&](std::string_view var) -> std::optional<std::string> {
            if (var != name) {
                if (auto own = params.text(var)) {
                    return own;
                }
            }
            if (auto g = globals.text(var)) {
                return g;
            }
            return std::nullopt;
        };
        expanded.set(name, expand_json(param.value, lookup), param.source);
    }
    params = std::move(expanded);

    // As in mlos_bench, globals replace the keys the `config` section already has (e.g.
    // `--mock_env_seed -1`); the parameter sections are handled above.
    const Json settings_config = globals.override_existing(config, k_structural_keys);
    check_seconds(settings_config, "timeout", file, config_ptr);
    try {
        spec.settings = env_class->parse_settings(settings_config);
    } catch (const Json::exception& e) {
        throw ConfigError(file, config_ptr,
                          "a value of the wrong type (after globals were applied): " +
                              std::string(e.what()));
    }

    if (!std::holds_alternative<CompositeSettings>(spec.settings)) {
        return spec;
    }
    // Children see the globals, with this composite's parameters filling what they lack.
    Parameters child_globals = globals.values();
    for (const auto& [name, param] : params) {
        if (!child_globals.contains(name)) {
            child_globals.set(name, param.value,
                              "const_args of parent '" + spec.name + "' (" + file + ")");
        }
    }
    const GlobalsView child_view = globals.over(child_globals);
    if (config.contains("include_children")) {
        const Json& list = config.at("include_children");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string where = index_pointer(config_ptr, "include_children", i);
            const fs::path path = m_loader.require(list[i].get<std::string>(), {file, where, dir});
            std::error_code ec;
            const std::string canonical_path = fs::weakly_canonical(path, ec).string();
            if (std::find(m_include_stack.begin(), m_include_stack.end(), canonical_path) !=
                m_include_stack.end()) {
                std::string chain;
                for (const auto& f : m_include_stack) {
                    chain += f + " -> ";
                }
                throw ConfigError(file, where, "include cycle: " + chain + canonical_path);
            }
            const LoadedConfig child =
                m_loader.load(path.string(), ConfigKind::environment, {file, where, dir});
            m_include_stack.push_back(canonical_path);
            spec.children.push_back(
                load(child.doc, child.origin, "", child.dir, child_view, &params, spec.services));
            m_include_stack.pop_back();
        }
    }
    if (config.contains("children")) {
        const Json& list = config.at("children");
        for (std::size_t i = 0; i < list.size(); ++i) {
            spec.children.push_back(load(list[i], file, index_pointer(config_ptr, "children", i),
                                         dir, child_view, &params, spec.services));
        }
    }
    if (spec.children.empty()) {
        throw ConfigError(file, config_ptr,
                          "a CompositeEnv needs at least one child in 'children' or "
                          "'include_children'");
    }
    return spec;
}

void EnvironmentLoader::check_groups(const EnvironmentSpec& spec) const
{
    for (std::size_t i = 0; i < spec.tunable_params.size(); ++i) {
        const std::string& group = spec.tunable_params[i];
        if (m_tunables.group(group) == nullptr) {
            const std::string known = m_tunables.groups().empty()
                                          ? " (no include_tunables file defines any group)"
                                          : did_you_mean(group, m_tunables.group_names());
            throw ConfigError(spec.file, spec.pointer + "/config/tunable_params",
                              "unknown tunable group '" + group + "'" + known);
        }
    }
}

// What a script env's lines and shell variables name must exist now, not fail a trial later:
// each shell_env_params entry a parameter of the environment (const_args, required_args,
// globals it declares, its tunables, the trial ids), each script a file.
void EnvironmentLoader::check_scripts(const EnvironmentSpec& spec) const
{
    const auto [script, local] = environment_scripts(spec.settings);
    if (script == nullptr) {
        return;
    }
    const std::string config_ptr = spec.pointer + "/config";
    std::vector<std::string> known = spec.params.names();
    for (const Tunable* t : m_tunables.tunables(spec.tunable_params)) {
        known.push_back(t->name());
    }
    const auto is_known = [&](const std::string& name) {
        return std::find(known.begin(), known.end(), name) != known.end();
    };
    for (std::size_t i = 0; i < script->shell_env_params.size(); ++i) {
        const std::string& name = script->shell_env_params[i];
        if (!is_known(name)) {
            throw ConfigError(spec.file, index_pointer(config_ptr, "shell_env_params", i),
                              "'" + name +
                                  "' names no parameter of this environment (declare it in "
                                  "const_args or required_args, or include its tunable)" +
                                  did_you_mean(name, known));
        }
    }
    for (const auto& [env_name, param] : script->shell_env_params_rename) {
        if (!is_known(param)) {
            throw ConfigError(spec.file,
                              config_ptr + "/shell_env_params_rename/" +
                                  escape_pointer_token(env_name),
                              "'" + param + "' names no parameter of this environment" +
                                  did_you_mean(param, known));
        }
    }
    if (!local) {
        return; // a RemoteEnv's scripts are on the remote host
    }
    const std::vector<fs::path> search_path = script_search_path(spec, m_loader.search_path());
    const LocalExecService exec(LocalExecSettings{}, search_path);
    for (const auto& [key, lines] :
         {std::pair{"setup", &script->setup}, std::pair{"run", &script->run},
          std::pair{"teardown", &script->teardown}}) {
        for (std::size_t i = 0; i < lines->size(); ++i) {
            if (const auto missing = exec.missing_script((*lines)[i])) {
                std::string places;
                for (const auto& dir : search_path) {
                    places += (places.empty() ? "" : ", ") + dir.string();
                }
                throw ConfigError(spec.file, index_pointer(config_ptr, key, i),
                                  "script '" + *missing + "' not found" +
                                      (fs::path(*missing).is_absolute()
                                           ? std::string()
                                           : " (looked in: " + places + ")"));
            }
        }
    }
}

} // namespace mlosbench::detail
