#include "environments/detail/script_support.hpp"

#include "mlosbench/config/template.hpp"
#include "mlosbench/util/error.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace mlosbench::detail {

PhaseResult make_result(Status status, std::string reason)
{
    PhaseResult result;
    result.status = status;
    result.time = now();
    result.reason = std::move(reason);
    return result;
}

std::string sanitize_name(std::string_view name)
{
    std::string out(name);
    for (char& c : out) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
            c = '_';
        }
    }
    return out;
}

std::vector<std::string>
shell_variables(const ScriptSettings& script, const Json& params, ShellVariables& out)
{
    std::vector<std::string> missing;
    for (const auto& name : script.shell_env_params) {
        const auto it = params.find(name);
        if (it == params.end()) {
            missing.push_back("shell_env_params: '" + name + "' is not a parameter");
            continue;
        }
        out.emplace_back(sanitize_name(name), json_to_text(*it));
    }
    for (const auto& [env_name, param] : script.shell_env_params_rename) {
        const auto it = params.find(param);
        if (it == params.end()) {
            missing.push_back("shell_env_params_rename: '" + env_name + "' names '" + param +
                              "', which is not a parameter");
            continue;
        }
        out.emplace_back(env_name, json_to_text(*it));
    }
    return missing;
}

std::string expand_with_params(const std::string& text,
                               const Json& params,
                               const std::optional<std::filesystem::path>& pwd)
{
    return expand_template(text, [&](std::string_view name) -> std::optional<std::string> {
        if (pwd && name == "PWD") {
            return pwd->string();
        }
        for (const auto& [key, value] : params.items()) {
            if (sanitize_name(key) == name) {
                return json_to_text(value);
            }
        }
        return std::nullopt;
    });
}

std::optional<Regex> results_pattern(const EnvironmentSpec& spec, const ScriptSettings& script)
{
    if (!script.results_stdout_pattern) {
        return std::nullopt;
    }
    const std::string where = spec.pointer + "/config/results_stdout_pattern";
    std::optional<Regex> pattern;
    try {
        pattern.emplace(*script.results_stdout_pattern);
    } catch (const Error& e) {
        throw ConfigError(spec.file, where,
                          "not a valid regular expression: " + std::string(e.what()));
    }
    if (pattern->group_count() != 2) {
        throw ConfigError(spec.file, where,
                          "expected two groups, (name) and (value), got " +
                              std::to_string(pattern->group_count()));
    }
    return pattern;
}

std::optional<std::string>
parse_stdout_results(const Regex& pattern, std::string_view text, Json& results)
{
    const auto found = pattern.find_all(text);
    if (!found.complete) {
        return "results_stdout_pattern: gave up searching " + std::to_string(text.size()) +
               " bytes of output (the pattern makes each match rescan the text)";
    }
    const auto group = [&](const Regex::Match& match, std::size_t g) {
        const auto [begin, end] = match.groups[g];
        return begin == Regex::npos ? std::string() : std::string(text.substr(begin, end - begin));
    };
    for (const auto& match : found.matches) {
        const std::string name = group(match, 1);
        if (name.empty()) {
            const auto line =
                1 + std::count(text.begin(),
                               text.begin() + static_cast<std::ptrdiff_t>(match.groups[0].first),
                               '\n');
            return "results_stdout_pattern: a match on line " + std::to_string(line) +
                   " of the output has an empty metric name";
        }
        results[name] = parse_scalar_text(group(match, 2));
    }
    return std::nullopt;
}

} // namespace mlosbench::detail
