#include "mlosbench/util/strings.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;

TEST(Strings, EditDistance)
{
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
    EXPECT_EQ(edit_distance("", "abc"), 3U);
    EXPECT_EQ(edit_distance("same", "same"), 0U);
}

TEST(Strings, DidYouMeanSuggestsCloseCandidate)
{
    const std::vector<std::string> keys = {"shell_env_params", "setup", "run"};
    EXPECT_EQ(did_you_mean("shell_env_param", keys), " (did you mean 'shell_env_params'?)");
    EXPECT_EQ(did_you_mean("completely_different", keys), "");
}

TEST(Strings, ShellQuoteKeepsEverything)
{
    EXPECT_EQ(shell_quote("it's $HOME; rm"), "'it'\\''s $HOME; rm'");
}

TEST(Strings, DoubleQuoteDoublesQuotes)
{
    EXPECT_EQ(double_quote(R"(a "b", c)"), R"("a ""b"", c")");
    EXPECT_EQ(double_quote(""), R"("")");
}

TEST(Strings, SplitLinesDropsCarriageReturns)
{
    EXPECT_EQ(split_lines("a\r\nb\nc"), (std::vector<std::string>{"a", "b", "c"}));
}
