#include "mlosbench/config/globals_view.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;

namespace {

Parameters globals_of(const Json& values)
{
    Parameters out;
    for (const auto& [name, value] : values.items()) {
        out.set(name, value, "globals.jsonc");
    }
    return out;
}

TEST(GlobalsView, ReportsExactlyTheGlobalsNothingRead)
{
    const Parameters globals =
        globals_of({{"a", 1}, {"b", "two"}, {"c", 3}, {"d", 4}, {"e", 5}, {"f", 6}, {"g", 7}});
    const GlobalsView view(globals);
    EXPECT_EQ(view.unread(), (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g"}));

    ASSERT_NE(view.find("a"), nullptr);
    EXPECT_EQ(view.find("a")->value, 1);
    EXPECT_EQ(view.find("zz"), nullptr);
    EXPECT_EQ(view.text("b"), "two");
    EXPECT_EQ(view.text("zz"), std::nullopt);
    EXPECT_TRUE(view.contains("c"));              // a check is not a read
    EXPECT_EQ(view.values().find("c")->value, 3); // neither is a look at the values
    const Json merged = view.override_existing({{"d", 0}, {"e", 0}, {"y", 0}}, {"e"});
    EXPECT_EQ(merged, Json({{"d", 4}, {"e", 0}, {"y", 0}}));
    view.mark_read("f");

    EXPECT_EQ(view.unread(), (std::vector<std::string>{"c", "e", "g"}));
}

TEST(GlobalsView, CopiesAndLayeredViewsShareOneRecord)
{
    const Parameters globals = globals_of({{"a", 1}, {"b", 2}, {"c", 3}});
    const GlobalsView view(globals);
    const GlobalsView copy = view; // NOLINT(performance-unnecessary-copy-initialization)
    static_cast<void>(copy.find("a"));

    Parameters layered = globals;
    layered.set("parent_arg", 9, "const_args of parent");
    const GlobalsView child = view.over(layered);
    EXPECT_EQ(child.find("parent_arg")->value, 9);
    EXPECT_EQ(child.text("b"), "2");
    EXPECT_EQ(child.unread(), (std::vector<std::string>{"c"}));
    EXPECT_EQ(view.unread(), (std::vector<std::string>{"c"}));
}

} // namespace
