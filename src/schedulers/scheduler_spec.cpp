#include "mlosbench/schedulers/scheduler_spec.hpp"

#include "mlosbench/util/error.hpp"

#include <limits>
#include <utility>

namespace mlosbench {

SchedulerSpec parse_scheduler_spec(std::string file,
                                   const Json& file_config,
                                   const GlobalsView& globals,
                                   const std::string& default_experiment_id,
                                   bool no_teardown)
{
    SchedulerSpec s;
    s.file = std::move(file);
    const std::string where = s.file.empty() ? std::string("scheduler") : s.file;
    Json config = {{"teardown", true},
                   {"max_trials", -1},
                   {"trial_config_repeat_count", 1},
                   {"config_id", -1}};
    for (const auto& [key, value] : file_config.items()) {
        config[key] = value;
    }
    // Globals replace the keys the config has, as for every component config.
    config = globals.override_existing(std::move(config));
    for (const char* key : {"experiment_id", "trial_id"}) {
        if (const Parameter* p = globals.find(key)) {
            config[key] = p->value;
        }
    }
    s.experiment_id = config.contains("experiment_id") && config.at("experiment_id").is_string()
                          ? config.at("experiment_id").get<std::string>()
                          : default_experiment_id;
    if (s.experiment_id.empty()) {
        const Parameter* p = globals.values().find("experiment_id");
        throw ConfigError(p != nullptr ? p->source : where,
                          p != nullptr ? "experiment_id" : "/config/experiment_id",
                          "expected an experiment id, got ''");
    }
    // A value from the globals is reported where it came from (a globals file, --key).
    const auto number = [&](const char* key, std::int64_t minimum, std::int64_t maximum) {
        const Json& v = config.at(key);
        const Parameter* p = globals.values().find(key);
        const std::string source = p != nullptr ? p->source : where;
        const std::string pointer = p != nullptr ? std::string(key) : std::string("/config/") + key;
        if (!v.is_number_integer() || v.get<std::int64_t>() < minimum) {
            throw ConfigError(source, pointer,
                              "expected an integer >= " + std::to_string(minimum) + ", got " +
                                  v.dump());
        }
        if (v.get<std::int64_t>() > maximum) {
            throw ConfigError(source, pointer,
                              "expected an integer from " + std::to_string(minimum) + " to " +
                                  std::to_string(maximum) + ", got " + v.dump());
        }
        return v.get<std::int64_t>();
    };
    constexpr auto k_any = std::numeric_limits<std::int64_t>::max();
    s.trial_id = config.contains("trial_id") ? number("trial_id", 0, k_any) : 1;
    s.config_id = number("config_id", -1, k_any);
    // -1 and 0 mean "no limit" in a scheduler file (as in mlos_bench); on the command line a
    // limit is a number of trials.
    const Parameter* max_trials = globals.values().find("max_trials");
    const bool from_flag = max_trials != nullptr && max_trials->source.rfind("--", 0) == 0;
    s.max_trials = number("max_trials", from_flag ? 1 : -1, k_any);
    s.trial_config_repeat_count =
        number("trial_config_repeat_count", 1, k_max_trial_config_repeat_count);
    s.teardown = bool_setting(config.at("teardown"), where, "teardown");
    if (no_teardown) {
        s.teardown = false; // always honoured, scheduler file or not
    }
    s.num_trial_runners =
        static_cast<int>(integer_global(globals, "num_trial_runners", 1, k_max_trial_runners));
    return s;
}

} // namespace mlosbench
