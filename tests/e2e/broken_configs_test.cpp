// Every case under tests/e2e/broken/ is a broken config: `mlosbench validate ARGS` (ARGS from
// args.txt, run in the case's directory; `mlosbench run ARGS` when the first line of args.txt
// is `run`, for the flags only a run takes) must exit 2 with exactly the message in expected.txt,
// where {dir} stands for the case's directory and {config} for the built-in config directory.
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;
using namespace mlosbench::testing;

namespace {

std::vector<std::string> case_names()
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(tests_dir() / "e2e" / "broken")) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
        text.replace(pos, from.size(), to);
        pos += to.size();
    }
    return text;
}

class BrokenConfig : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(BrokenConfig, ExitsTwoWithAClearMessage)
{
    const fs::path dir = tests_dir() / "e2e" / "broken" / GetParam();
    std::vector<std::string> args;
    std::istringstream lines(read_file(dir / "args.txt"));
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) {
            args.push_back(line);
        }
    }
    if (args.empty() || args.front() != "run") {
        args.insert(args.begin(), "validate");
    }
    const CommandResult r = run_mlosbench(args, dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    const std::string expected =
        replace_all(replace_all(read_file(dir / "expected.txt"), "{dir}", dir.string()),
                    "{config}", (tests_dir().parent_path() / "config").string());
    EXPECT_EQ(r.err, expected);
    EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(Corpus, BrokenConfig, ::testing::ValuesIn(case_names()),
                         [](const auto& param_info) {
                             std::string name = param_info.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });
