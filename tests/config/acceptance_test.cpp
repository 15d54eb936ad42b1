// The acceptance cases of tests/config/acceptance/ (see its README.md): mlos_bench's own
// schema test cases must classify as there, plus the added-key variants of every good case.

#include "config/config_cases.hpp"
#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/config/schema_validator.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

const std::vector<ConfigCase>& acceptance_cases()
{
    static const std::vector<ConfigCase> cases = collect_config_cases(acceptance_dir());
    return cases;
}

std::vector<ConfigCase> good_cases_with_config()
{
    std::vector<ConfigCase> out;
    for (const auto& c : good_cases(acceptance_cases())) {
        const Json doc = load_jsonc_file(c.path.string());
        if (doc.contains("config") && doc.at("config").is_object()) {
            out.push_back(c);
        }
    }
    return out;
}

bool mentions(const std::vector<ConfigError>& errors, const std::string& text)
{
    return std::any_of(errors.begin(), errors.end(), [&](const ConfigError& e) {
        return e.message().find(text) != std::string::npos;
    });
}

class AcceptanceCase : public ::testing::TestWithParam<ConfigCase>
{
};

TEST_P(AcceptanceCase, ClassifiesAsMlosBenchDoes)
{
    const ConfigCase& c = GetParam();
    const std::string file = c.path.string();
    const Json doc = load_jsonc_file(file);
    const auto errors = validate_config(doc, c.kind, file);
    switch (c.expectation) {
    case CaseExpectation::good:
        EXPECT_TRUE(errors.empty()) << error_lines(errors);
        break;
    case CaseExpectation::bad:
    case CaseExpectation::unsupported:
        ASSERT_FALSE(errors.empty()) << "accepted " << file;
        for (const auto& e : errors) {
            EXPECT_EQ(e.file(), file);
            EXPECT_FALSE(e.message().empty());
            // The explainer found the problem itself, rather than relaying valijson's words.
            EXPECT_EQ(e.message().find("does not match the schema"), std::string::npos) << e.what();
        }
        if (c.expectation == CaseExpectation::unsupported) {
            EXPECT_TRUE(mentions(errors, "not supported")) << error_lines(errors);
        }
        break;
    }
}

INSTANTIATE_TEST_SUITE_P(Acceptance,
                         AcceptanceCase,
                         ::testing::ValuesIn(acceptance_cases()),
                         config_case_name);

class AcceptanceGoodCase : public ::testing::TestWithParam<ConfigCase>
{
};

TEST_P(AcceptanceGoodCase, RejectsUnknownTopLevelKeyUnlessFreeForm)
{
    const ConfigCase& c = GetParam();
    Json doc = load_jsonc_file(c.path.string());
    doc[k_added_key] = 42;
    const auto errors = validate_config(doc, c.kind, "case.jsonc");
    if (c.kind == ConfigKind::globals || c.kind == ConfigKind::tunable_values) {
        EXPECT_TRUE(errors.empty()) << error_lines(errors);
    } else if (c.kind == ConfigKind::tunable_params) {
        ASSERT_EQ(errors.size(), 1U) << error_lines(errors);
        EXPECT_STREQ(errors[0].what(),
                     "case.jsonc: /mlosbench_unknown_key: expected object, got number");
    } else {
        ASSERT_EQ(errors.size(), 1U) << error_lines(errors);
        EXPECT_EQ(errors[0].pointer(), "");
        EXPECT_EQ(errors[0].message().rfind("unknown key 'mlosbench_unknown_key'", 0), 0U)
            << errors[0].what();
    }
}

INSTANTIATE_TEST_SUITE_P(Acceptance,
                         AcceptanceGoodCase,
                         ::testing::ValuesIn(good_cases(acceptance_cases())),
                         config_case_name);

class AcceptanceConfigCase : public ::testing::TestWithParam<ConfigCase>
{
};

TEST_P(AcceptanceConfigCase, RejectsUnknownKeyInConfig)
{
    const ConfigCase& c = GetParam();
    Json doc = load_jsonc_file(c.path.string());
    doc["config"][k_added_key] = "x";
    const auto errors = validate_config(doc, c.kind, "case.jsonc");
    ASSERT_EQ(errors.size(), 1U) << error_lines(errors);
    EXPECT_STREQ(errors[0].what(), "case.jsonc: /config: unknown key 'mlosbench_unknown_key'");
}

INSTANTIATE_TEST_SUITE_P(Acceptance,
                         AcceptanceConfigCase,
                         ::testing::ValuesIn(good_cases_with_config()),
                         config_case_name);

// Every message the bad cases get, verbatim, in one reviewable file. To refresh it after a
// deliberate change: MLOSBENCH_UPDATE_GOLDEN=1 ./config_tests --gtest_filter='AcceptanceMessages.*'
TEST(AcceptanceMessages, MatchGoldenFile)
{
    const auto golden = tests_dir() / "config" / "cases" / "acceptance_messages.txt";
    std::string actual;
    for (const auto& c : acceptance_cases()) {
        if (c.expectation == CaseExpectation::good) {
            continue;
        }
        const Json doc = load_jsonc_file(c.path.string());
        for (const auto& e : validate_config(doc, c.kind, c.relative)) {
            actual += std::string(e.what()) + "\n";
        }
    }
    if (std::getenv("MLOSBENCH_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(golden, std::ios::binary) << actual;
    }
    EXPECT_EQ(actual, read_file(golden));
}

TEST(AcceptanceCases, AreAllThere)
{
    // README.md: good, bad/invalid, bad/unhandled and unsupported cases of four kinds.
    EXPECT_GE(acceptance_cases().size(), 100U);
    EXPECT_GE(good_cases_with_config().size(), 10U);
}

} // namespace
