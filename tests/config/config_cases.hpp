#pragma once

// Config files used as schema test cases: tests/config/acceptance/ (mlos_bench's own cases)
// and tests/config/cases/ (ours, same layout: <kind folder>/{good,bad,unsupported}/...).

#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/config/schema_validator.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace mlosbench::testing {

enum class CaseExpectation {
    good,
    bad,
    unsupported,
};

struct ConfigCase
{
    std::filesystem::path path;
    std::string relative; ///< path below the cases root, for names and messages
    ConfigKind kind;
    CaseExpectation expectation;
};

/// GoogleTest prints a case as its file.
inline void PrintTo(const ConfigCase& c, std::ostream* os) { *os << c.relative; }

/// Every .json/.jsonc file under `root`, sorted; the first folder names the kind
/// (environments/ holds kind environment), the second good/, bad/ or unsupported/.
inline std::vector<ConfigCase> collect_config_cases(const std::filesystem::path& root)
{
    namespace fs = std::filesystem;
    std::vector<ConfigCase> cases;
    if (!fs::is_directory(root)) {
        return cases;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const auto ext = entry.path().extension();
        if (!entry.is_regular_file() || (ext != ".json" && ext != ".jsonc")) {
            continue;
        }
        const fs::path relative = fs::relative(entry.path(), root);
        auto part = relative.begin();
        const auto kind = kind_from_name(part->string());
        if (!kind || ++part == relative.end()) {
            continue;
        }
        const std::string folder = part->string();
        CaseExpectation expectation = CaseExpectation::good;
        if (folder == "bad") {
            expectation = CaseExpectation::bad;
        } else if (folder == "unsupported") {
            expectation = CaseExpectation::unsupported;
        } else if (folder != "good") {
            continue;
        }
        cases.push_back({entry.path(), relative.generic_string(), *kind, expectation});
    }
    std::sort(cases.begin(), cases.end(),
              [](const ConfigCase& a, const ConfigCase& b) { return a.relative < b.relative; });
    return cases;
}

inline std::vector<ConfigCase> good_cases(const std::vector<ConfigCase>& cases)
{
    std::vector<ConfigCase> good;
    std::copy_if(cases.begin(), cases.end(), std::back_inserter(good),
                 [](const ConfigCase& c) { return c.expectation == CaseExpectation::good; });
    return good;
}

/// A GoogleTest-friendly name: letters, digits and '_' only.
inline std::string case_test_name(const std::string& relative)
{
    std::string name;
    for (char c : relative) {
        const bool plain =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        name += plain ? c : '_';
    }
    return name;
}

/// Names parametrised tests after their case file.
inline std::string config_case_name(const ::testing::TestParamInfo<ConfigCase>& info)
{
    return case_test_name(info.param.relative);
}

inline std::string error_lines(const std::vector<ConfigError>& errors)
{
    std::string out;
    for (const auto& e : errors) {
        out += std::string(e.what()) + "\n";
    }
    return out;
}

/// The key the added-key checks put into good cases.
inline constexpr const char* k_added_key = "mlosbench_unknown_key";

} // namespace mlosbench::testing
