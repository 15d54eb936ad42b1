// Fuzz target: the stdout pattern matcher. The first line of the input is a pattern, the rest
// the text it searches. A pattern compiles or throws Error; matches lie inside the text, in
// order, and a pattern of two groups reads results as an environment's
// results_stdout_pattern does.
#include "environments/detail/script_support.hpp"
#include "fuzz_check.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/regex.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view pattern = input.substr(0, newline);
    const std::string_view text =
        newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

    std::optional<mlosbench::Regex> regex;
    try {
        regex.emplace(pattern);
    } catch (const mlosbench::Error&) {
        return 0;
    }
    const auto found = regex->find_all(text);
    std::size_t previous_end = 0;
    for (const auto& match : found.matches) {
        FUZZ_CHECK(match.groups.size() == regex->group_count() + 1);
        const auto [begin, end] = match.groups[0];
        FUZZ_CHECK(begin >= previous_end && begin <= end && end <= text.size());
        for (const auto& [b, e] : match.groups) {
            if (b == mlosbench::Regex::npos) {
                FUZZ_CHECK(e == mlosbench::Regex::npos);
            } else {
                FUZZ_CHECK(begin <= b && b <= e && e <= end);
            }
        }
        previous_end = end;
    }

    mlosbench::EnvironmentSpec spec;
    spec.file = "fuzz.jsonc";
    mlosbench::ScriptSettings script;
    script.results_stdout_pattern = std::string(pattern);
    std::optional<mlosbench::Regex> results_pattern;
    try {
        results_pattern = mlosbench::detail::results_pattern(spec, script);
    } catch (const mlosbench::ConfigError&) {
        FUZZ_CHECK(regex->group_count() != 2);
        return 0;
    }
    FUZZ_CHECK(results_pattern && results_pattern->group_count() == 2);
    mlosbench::Json results = mlosbench::Json::object();
    (void)mlosbench::detail::parse_stdout_results(*results_pattern, text, results);
    FUZZ_CHECK(results.is_object());
    return 0;
}
