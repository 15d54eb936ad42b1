#pragma once

#include "mlosbench/environments/environment.hpp"
#include "mlosbench/environments/environment_spec.hpp"
#include "mlosbench/services/command_executor.hpp"
#include "mlosbench/util/json.hpp"
#include "mlosbench/util/regex.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench::detail {

/// A phase result with `status`, the time now and `reason`.
[[nodiscard]] PhaseResult make_result(Status status, std::string reason = {});

/// `name` with every character outside [A-Za-z0-9_] replaced by `_`, as mlos_bench does.
[[nodiscard]] std::string sanitize_name(std::string_view name);

/// The shell variables of a script environment (docs/trials.md): each `shell_env_params` name
/// (sanitised) and each `shell_env_params_rename` entry, valued from `params` as text (arrays
/// and objects as JSON). Names that `params` lacks are left out and returned as messages.
[[nodiscard]] std::vector<std::string>
shell_variables(const ScriptSettings& script, const Json& params, ShellVariables& out);

/// `$var` / `${var}` expansion with every parameter (names sanitised as for shell variables)
/// plus `PWD`; unknown names are left as written.
[[nodiscard]] std::string expand_with_params(const std::string& text,
                                             const Json& params,
                                             const std::optional<std::filesystem::path>& pwd);

/// The compiled `results_stdout_pattern` of a script environment (Python `re` syntax with
/// `re.MULTILINE`, see Regex), or nullopt when it has none. Throws ConfigError when it is not
/// a regular expression we support or does not have exactly two groups, (name) and (value).
[[nodiscard]] std::optional<Regex> results_pattern(const EnvironmentSpec& spec,
                                                   const ScriptSettings& script);

/// Sets `results[name] = value` for every match of `pattern` in `text` (values parsed as
/// numbers when they are numbers; a later match of a name wins). Returns why
/// the output gives no results: a match with an empty name, or a search that gave up.
[[nodiscard]] std::optional<std::string>
parse_stdout_results(const Regex& pattern, std::string_view text, Json& results);

} // namespace mlosbench::detail
