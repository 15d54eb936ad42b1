#include "mlosbench/util/error.hpp"
#include "mlosbench/util/regex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mlosbench;

namespace {

// Every match as "group1=group2" (or the whole match when there are no groups), as Python's
// [m.groups() for m in re.finditer(pattern, text, re.MULTILINE)] would list them.
std::vector<std::string> find(const std::string& pattern, const std::string& text)
{
    const Regex regex(pattern);
    std::vector<std::string> out;
    const auto result = regex.find_all(text);
    EXPECT_TRUE(result.complete);
    for (const auto& match : result.matches) {
        std::string item;
        const std::size_t first = match.groups.size() > 1 ? 1 : 0;
        for (std::size_t g = first; g < match.groups.size(); ++g) {
            const auto [begin, end] = match.groups[g];
            item += (g == first ? "" : "=") +
                    (begin == Regex::npos ? std::string("None") : text.substr(begin, end - begin));
        }
        out.push_back(item);
    }
    return out;
}

std::string error_of(const std::string& pattern)
{
    try {
        const Regex regex(pattern);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

using Strings = std::vector<std::string>;

} // namespace

TEST(Regex, MatchesWhatMlosBenchPatternsMatch)
{
    const std::string out = "starting\nscore: 12.5\nlatency = 3e-2 ms\nname: fast\n";
    EXPECT_EQ(find(R"((\w+)\s*[:=]\s*([0-9.eE+-]+))", out),
              (Strings{"score=12.5", "latency=3e-2"}));
    EXPECT_EQ(find(R"(^(\w+): (\S+)$)", out), (Strings{"score=12.5", "name=fast"}));
    EXPECT_EQ(find(R"((?P<name>[a-z_]+)=(\d+))", "a=1 b_c=22 D=3"), (Strings{"a=1", "b_c=22"}));
    EXPECT_EQ(find(R"(^(\S+)\t(\d+)$)", "x\t1\ny\t2"), (Strings{"x=1", "y=2"}));
}

TEST(Regex, PrefersAsPythonDoes)
{
    // Greedy and lazy, alternation in order, leftmost match.
    EXPECT_EQ(find(R"((a+)(a*))", "aaa"), Strings{"aaa="});
    EXPECT_EQ(find(R"((a+?)(a*))", "aaa"), Strings{"a=aa"});
    EXPECT_EQ(find(R"((ab|a)(b*))", "abb"), Strings{"ab=b"});
    EXPECT_EQ(find(R"((a|ab)(b*))", "abb"), Strings{"a=bb"});
    EXPECT_EQ(find(R"((x)?(y))", "y"), Strings{"None=y"});
    EXPECT_EQ(find(R"(a{2,3})", "aaaaaaa"), (Strings{"aaa", "aaa"}));
    EXPECT_EQ(find(R"(a{2})", "aaaaa"), (Strings{"aa", "aa"}));
    EXPECT_EQ(find(R"(\bab\b)", "ab cab ab"), (Strings{"ab", "ab"}));
    EXPECT_EQ(find(R"([^,\s]+)", "a, b,c"), (Strings{"a", "b", "c"}));
    EXPECT_EQ(find(R"([\w.-]+)", "a.b-c d"), (Strings{"a.b-c", "d"}));
    EXPECT_EQ(find(R"(\w*)", "ab cd"), (Strings{"ab", "", "cd", ""}));
    EXPECT_EQ(find(R"(x{)", "x{"), Strings{"x{"});
    EXPECT_EQ(find(R"(a.c)", "abc a\nc"), Strings{"abc"});
    EXPECT_EQ(find(R"(\x41\.)", "A. A!"), Strings{"A."});
}

TEST(Regex, CountsGroups)
{
    EXPECT_EQ(Regex(R"((\w+)=(?:x|y)(\d))").group_count(), 2U);
    EXPECT_EQ(Regex(R"(score)").group_count(), 0U);
}

TEST(Regex, RejectsWhatPythonRejectsAndWhatItDoesNotSupport)
{
    EXPECT_EQ(error_of("(a"), "position 0: missing ), unterminated subpattern");
    EXPECT_EQ(error_of("a)"), "position 1: unbalanced parenthesis");
    EXPECT_EQ(error_of("*a"), "position 0: nothing to repeat");
    EXPECT_EQ(error_of("a**"), "position 2: multiple repeat");
    EXPECT_EQ(error_of("[a"), "position 0: unterminated character set");
    EXPECT_EQ(error_of("[z-a]"), "position 1: bad character range");
    EXPECT_EQ(error_of(R"(\q)"), R"(position 0: bad escape \q)");
    EXPECT_EQ(error_of(R"((a)\1)"), "position 3: backreferences are not supported");
    EXPECT_EQ(error_of("(?=a)"), "position 0: lookahead and lookbehind are not supported");
    EXPECT_EQ(error_of("(?i)a"),
              "position 0: inline flags and other (?...) extensions are not supported");
    EXPECT_EQ(error_of("a{5,2}"), "position 1: min repeat greater than max repeat");
    EXPECT_EQ(error_of(std::string(200, '(') + std::string(200, ')')),
              "position 100: more than 100 nested groups");
    EXPECT_EQ(error_of("(a{1000}){1000}"),
              "pattern too large (more than 65536 instructions once repetitions are expanded)");
}

TEST(Regex, LongInputNeitherRecursesNorTakesQuadraticTime)
{
    // std::regex recursed once per character here and overflowed the stack.
    const std::string word(100000, 'w');
    EXPECT_TRUE(find(R"((\w+)\s*[:=]\s*([0-9.eE+-]+))", word).empty());
    EXPECT_EQ(find(R"((\w+)\s*[:=]\s*([0-9.eE+-]+))", word + "=1"), Strings{word + "=1"});
    EXPECT_EQ(find(R"((\w+)=(.*)$)", "k=" + word).size(), 1U);
}

TEST(Regex, GivesUpOnAPatternThatRescansTheText)
{
    // Each match of 'x' waits for the first alternative to fail at the end of the text.
    const Regex regex(R"(x*y|x)");
    const auto result = regex.find_all(std::string(20000, 'x'));
    EXPECT_FALSE(result.complete);
}
