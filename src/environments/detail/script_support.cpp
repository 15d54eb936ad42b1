#include "environments/detail/script_support.hpp"

#include "mlosbench/config/template.hpp"
#include "mlosbench/util/error.hpp"

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

std::optional<std::regex> results_pattern(const EnvironmentSpec& spec, const ScriptSettings& script)
{
    if (!script.results_stdout_pattern) {
        return std::nullopt;
    }
    const std::string where = spec.pointer + "/config/results_stdout_pattern";
    std::optional<std::regex> pattern;
    try {
        pattern.emplace(*script.results_stdout_pattern,
                        std::regex::ECMAScript | std::regex::multiline);
    } catch (const std::regex_error& e) {
        throw ConfigError(spec.file, where,
                          "not a valid regular expression: " + std::string(e.what()));
    }
    if (pattern->mark_count() != 2) {
        throw ConfigError(spec.file, where,
                          "expected two groups, (name) and (value), got " +
                              std::to_string(pattern->mark_count()));
    }
    return pattern;
}

void parse_stdout_results(const std::regex& pattern, const std::string& text, Json& results)
{
    const auto end = std::sregex_iterator();
    for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern); it != end; ++it) {
        results[(*it)[1].str()] = parse_scalar_text((*it)[2].str());
    }
}

std::string
exec_failure(std::string_view phase, const ExecResult& result, std::optional<double> timeout)
{
    std::string out = std::string(phase) + ": '" + result.last_line + "' ";
    if (result.timed_out) {
        return out + "timed out after " + (timeout ? json_to_text(Json(*timeout)) : "?") + " s";
    }
    if (result.canceled) {
        return out + "was canceled";
    }
    return out + "exited with code " + std::to_string(result.exit_code);
}

} // namespace mlosbench::detail
