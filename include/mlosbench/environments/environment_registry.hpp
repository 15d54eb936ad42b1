#pragma once

#include "mlosbench/environments/environment.hpp"
#include "mlosbench/util/json.hpp"

#include <memory>
#include <span>
#include <string_view>

namespace mlosbench {

/// One environment class mlosbench provides: how configs name it, how its `config` section
/// is read and how a runnable instance of it is built.
struct EnvironmentClass
{
    std::string_view short_name;                  ///< ours: "LocalEnv"
    std::span<const std::string_view> mlos_names; ///< mlos_bench's module paths of it
    /// The EnvironmentSettings alternative of this class (its index in the variant).
    std::size_t settings_index = 0;
    /// Reads the class's keys of a validated `config` object (globals applied); throws
    /// Json::exception for a value of the wrong type.
    EnvironmentSettings (*parse_settings)(const Json& config) = nullptr;
    /// Builds the environment of `spec`, whose settings are this class's, for one runner;
    /// throws ConfigError when a service it needs is missing.
    std::unique_ptr<Environment> (*make)(const EnvironmentSpec& spec,
                                         const RunnerContext& runner) = nullptr;
    std::string_view description; ///< one line, for `mlosbench list`
};

/// The environment classes, one per EnvironmentSettings alternative and in its order: a new
/// alternative without a row (or a row out of place) does not compile. The names are those
/// of the `class` enum of config/schemas/environments/environment-schema.json.
[[nodiscard]] std::span<const EnvironmentClass> environment_classes();

/// The class `cls` names (short name or an mlos_bench module path); nullptr when none.
[[nodiscard]] const EnvironmentClass* find_environment_class(std::string_view cls);

/// The class whose settings `settings` holds.
[[nodiscard]] const EnvironmentClass& environment_class(const EnvironmentSettings& settings);

/// The script keys of an environment's settings.
struct EnvironmentScripts
{
    const ScriptSettings* script = nullptr; ///< nullptr: the class runs no scripts
    bool local = false;                     ///< the lines run on this machine
};

/// The scripts of `settings` (LocalEnv, LocalFileShareEnv: local; RemoteEnv: on its host;
/// CompositeEnv, MockEnv: none). A std::visit naming every class: a new settings alternative
/// does not compile until it is handled here.
[[nodiscard]] EnvironmentScripts environment_scripts(const EnvironmentSettings& settings);

} // namespace mlosbench
