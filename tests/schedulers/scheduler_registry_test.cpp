#include "mlosbench/config/parameters.hpp"
#include "mlosbench/schedulers/scheduler_registry.hpp"
#include "mlosbench/util/error.hpp"
#include "support/class_registry_checks.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;
using namespace mlosbench::testing;

namespace {

TEST(SchedulerRegistry, NamesAndAliasesRoundTripAndMatchTheSchema)
{
    expect_registry_matches_schema(scheduler_classes(), ConfigKind::scheduler,
                                   find_scheduler_class);
    EXPECT_EQ(scheduler_classes().front().short_name, "SyncScheduler");
    EXPECT_EQ(find_scheduler_class("ParallelScheduler"), nullptr);
}

Parameters globals_with(const Json& values)
{
    Parameters p;
    p.set("num_trial_runners", 1, "defaults");
    for (const auto& [name, value] : values.items()) {
        p.set(name, value, "g.jsonc");
    }
    return p;
}

TEST(SchedulerRegistry, SyncSchedulerReadsItsFileThenTheGlobals)
{
    const Parameters values = globals_with({{"max_trials", 7}, {"num_trial_runners", 3}});
    const GlobalsView globals(values);
    const SchedulerSpec s =
        find_scheduler_class("SyncScheduler")
            ->parse("sched.jsonc",
                    {{"max_trials", 2}, {"trial_config_repeat_count", 4}, {"teardown", false}},
                    globals, "env_name", false);
    EXPECT_EQ(s.file, "sched.jsonc");
    EXPECT_EQ(s.experiment_id, "env_name");
    EXPECT_EQ(s.max_trials, 7); // the global replaces the file's key
    EXPECT_EQ(s.trial_config_repeat_count, 4);
    EXPECT_FALSE(s.teardown);
    EXPECT_EQ(s.num_trial_runners, 3);
    EXPECT_EQ(globals.unread(), std::vector<std::string>{});
}

TEST(SchedulerRegistry, ABadValueNamesWhereItCameFrom)
{
    const Parameters values = globals_with({{"trial_config_repeat_count", 0}});
    const GlobalsView globals(values);
    try {
        static_cast<void>(parse_scheduler_spec("sched.jsonc", Json::object(), globals, "e", false));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "g.jsonc: trial_config_repeat_count: expected an integer >= 1, "
                               "got 0");
    }
    const Parameters none = globals_with(Json::object());
    try {
        static_cast<void>(parse_scheduler_spec("sched.jsonc", {{"teardown", "maybe"}},
                                               GlobalsView(none), "e", true));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "sched.jsonc: teardown: expected true or false, got \"maybe\"");
    }
}

} // namespace
