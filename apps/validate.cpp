#include "commands.hpp"
#include "launch_flags.hpp"
#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/config/schema_validator.hpp"
#include "mlosbench/environments/environment.hpp"
#include "mlosbench/launcher/launch_plan.hpp"
#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace mlosbench::app {
namespace {

void print_parameters(std::ostream& out, const Parameters& params, const std::string& indent)
{
    std::size_t width = 0;
    for (const auto& [name, param] : params) {
        width = std::max(width, name.size());
    }
    for (const auto& [name, param] : params) {
        out << indent << escape_control(name) << std::string(width - name.size(), ' ') << " = "
            << display_value(name, param.value) << "  [" << escape_control(param.source) << "]\n";
    }
}

// Into `out`: the caller masks secrets in the whole text at once.
void print_plan(std::ostream& out, const LaunchPlan& plan)
{
    plan.root.walk([&](const EnvironmentSpec& env, int depth) {
        const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
        out << indent << "environment '" << escape_control(env.name) << "' (" << env.class_name
            << ") " << escape_control(env.file)
            << (env.pointer.empty() ? "" : " " + escape_control(env.pointer)) << "\n";
        print_parameters(out, env.params, indent + "  ");
        const auto tunables = plan.tunables.tunables(env.tunable_params);
        if (!tunables.empty()) {
            out << indent << "  tunables:\n";
            for (const Tunable* t : tunables) {
                out << indent << "    " << t->name() << " = " << to_json(t->value()).dump()
                          << "  [" << plan.tunable_sources.at(t->name()) << "]\n";
            }
        }
    });
    const OptimizerSpec& opt = plan.optimizer;
    out << "optimizer " << opt.class_name << " ["
              << (opt.file.empty() ? std::string("built-in default") : opt.file) << "]: targets";
    for (const auto& [name, direction] : opt.targets) {
        out << " " << name << " (" << direction << ")";
    }
    out << ", max_suggestions "
              << (opt.max_suggestions == 0 ? std::string("unlimited")
                                           : std::to_string(opt.max_suggestions))
              << ", seed " << opt.seed << "\n";
    const SchedulerSpec& s = plan.scheduler;
    out << "scheduler SyncScheduler ["
              << (s.file.empty() ? std::string("built-in default") : s.file) << "]: experiment '"
              << escape_control(s.experiment_id) << "', trial_config_repeat_count "
              << s.trial_config_repeat_count << ", max_trials "
              << (s.max_trials <= 0 ? std::string("unlimited") : std::to_string(s.max_trials))
              << ", num_trial_runners " << s.num_trial_runners << ", teardown "
              << (s.teardown ? "yes" : "no") << "\n";
    out << "storage " << plan.storage.drivername << " " << plan.storage.location() << "\n";
}

int validate_files(const std::vector<std::string>& files, const std::optional<std::string>& kind)
{
    std::optional<ConfigKind> forced;
    if (kind) {
        forced = kind_from_name(*kind);
        if (!forced) {
            throw ConfigError("", "--kind",
                              "unknown kind '" + *kind +
                                  "' (expected cli, globals, environment, service, optimizer, "
                                  "scheduler, storage, tunable-params or tunable-values)");
        }
    }
    std::vector<ConfigError> errors;
    for (const auto& file : files) {
        try {
            const Json doc = load_jsonc_file(file);
            const auto k = forced ? forced : detect_kind(doc);
            if (!k) {
                throw ConfigError(file, "",
                                  "cannot tell the kind of config: add \"$schema\" or pass "
                                  "--kind");
            }
            auto found = validate_config(doc, *k, file);
            if (found.empty()) {
                std::cout << file << ": ok (" << kind_name(*k) << ")\n";
            }
            errors.insert(errors.end(), found.begin(), found.end());
        } catch (const ConfigErrors& e) {
            errors.insert(errors.end(), e.errors().begin(), e.errors().end());
        } catch (const ConfigError& e) {
            errors.push_back(e);
        }
    }
    if (!errors.empty()) {
        throw ConfigErrors(std::move(errors));
    }
    return 0;
}

} // namespace

int validate_command(const std::vector<std::string>& args)
{
    CLI::App app("Load and check every config without running anything, then print each "
                 "environment's resolved parameters and where each value came from.",
                 "mlosbench validate");
    LaunchOptions options;
    add_launch_flags(app, options);
    bool schema_only = false;
    std::optional<std::string> kind;
    std::vector<std::string> files;
    app.add_flag("--schema-only", schema_only,
                 "Only check the FILEs against the JSON Schema of their kind");
    app.add_option("--kind", kind,
                   "Kind of the FILEs: cli, globals, environment, service, optimizer, "
                   "scheduler, storage, tunable-params, tunable-values (default: from $schema "
                   "or class)");
    app.footer("With --schema-only: mlosbench validate --schema-only [--kind KIND] FILE...");
    if (parse_args(app, args)) {
        return 0;
    }
    if (schema_only) {
        // The FILEs are the arguments no flag took (a positional would swallow the values of
        // unknown --key value pairs in a full validation).
        files = app.remaining();
        if (files.empty()) {
            throw ConfigError("", "--schema-only", "expected one or more FILEs to check");
        }
        return validate_files(files, kind);
    }
    finish_launch_flags(app, options);
    if (options.log_file) {
        check_log_file(options.log_file, load_storage_spec(options), "--log-file");
    }
    setup_logging(options.log_level, options.log_file);
    const LaunchPlan plan = load_launch_plan(options);
    // Build what a run would build (nothing runs): checks that need the objects, such as a
    // grid over an unquantized float or a results pattern that does not compile.
    (void)make_optimizer(plan.optimizer, plan.tunables);
    RunnerContext runner;
    runner.search_path = plan.loader.search_path();
    runner.space = &plan.tunables;
    (void)Environment::create(plan.root, runner);
    mask_secrets_in_logs(plan.secrets);
    warn_unused_globals(plan);
    // Secret-named values are masked by name; a value built from one (a DSN with the password
    // in it) by the secret's text.
    std::ostringstream text;
    print_plan(text, plan);
    std::cout << plan.secrets.apply(text.str());
    return 0;
}

} // namespace mlosbench::app
