#include "commands.hpp"
#include "launch_flags.hpp"
#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/config/schema_validator.hpp"
#include "mlosbench/environments/environment.hpp"
#include "mlosbench/environments/environment_registry.hpp"
#include "mlosbench/environments/local_env.hpp"
#include "mlosbench/launcher/launch_plan.hpp"
#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/services/local_exec_service.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace mlosbench::app {
namespace {

/// A JSON value as validate shows it: secret-named ones masked, then every secret's text.
Json shown_value(std::string_view name, const Json& value, const SecretMask& secrets)
{
    if (is_secret_name(name) && !value.is_null()) {
        return "******";
    }
    if (value.is_string()) {
        return secrets.apply(value.get<std::string>());
    }
    Json out = value;
    if (value.is_structured()) {
        for (auto& [key, item] : out.items()) {
            item = shown_value("", item, secrets);
        }
    }
    return out;
}

/// The script lines of `env` as they will run: the first word resolved on the search path
/// (local lines), and the variables /bin/sh gets from shell_env_params, valued as the first
/// trial has them (tunables at their starting values). Null for a class without scripts.
Json scripts_of(const EnvironmentSpec& env, const LaunchPlan& plan)
{
    const EnvironmentScripts scripts = environment_scripts(env.settings);
    if (scripts.script == nullptr) {
        return nullptr;
    }
    const ScriptSettings& script = *scripts.script;
    const LocalExecService exec(env.services.local_exec.value_or(LocalExecSettings{}),
                                script_search_path(env, plan.loader.search_path()));
    Json out = Json::object();
    out["runs_on"] = scripts.local ? "this machine" : "the remote host";
    for (const auto& [key, lines] :
         {std::pair{"setup", &script.setup}, std::pair{"run", &script.run},
          std::pair{"teardown", &script.teardown}}) {
        Json list = Json::array();
        for (const auto& line : *lines) {
            list.push_back(plan.secrets.apply(scripts.local ? exec.resolve_line(line) : line));
        }
        out[key] = std::move(list);
    }
    const auto value_of = [&](const std::string& param) -> Json {
        if (const Parameter* p = env.params.find(param)) {
            return p->value.is_null() ? Json("(set per trial)")
                                      : shown_value(param, p->value, plan.secrets);
        }
        if (const Tunable* t = plan.tunables.find(param)) {
            return to_json(t->value());
        }
        return nullptr;
    };
    Json variables = Json::object();
    for (const auto& name : script.shell_env_params) {
        variables[name] = value_of(name);
    }
    for (const auto& [variable, param] : script.shell_env_params_rename) {
        variables[variable] = value_of(param);
    }
    out["shell_env"] = std::move(variables);
    return out;
}

/// What would run, as one document: `validate --json` prints it, the text form renders it.
Json plan_document(const LaunchPlan& plan)
{
    Json environments = Json::array();
    plan.root.walk([&](const EnvironmentSpec& env, int depth) {
        Json e = Json::object();
        e["name"] = env.name;
        e["class"] = env.class_name;
        e["file"] = env.file;
        e["pointer"] = env.pointer;
        e["depth"] = depth;
        Json params = Json::array();
        for (const auto& [name, param] : env.params) {
            params.push_back({{"name", name},
                              {"value", shown_value(name, param.value, plan.secrets)},
                              {"source", param.source}});
        }
        e["parameters"] = std::move(params);
        Json tunables = Json::array();
        for (const Tunable* t : plan.tunables.tunables(env.tunable_params)) {
            tunables.push_back({{"name", t->name()},
                                {"value", to_json(t->value())},
                                {"source", plan.tunable_sources.at(t->name())}});
        }
        e["tunables"] = std::move(tunables);
        e["scripts"] = scripts_of(env, plan);
        environments.push_back(std::move(e));
    });
    const OptimizerSpec& opt = plan.optimizer;
    Json targets = Json::array();
    for (const auto& [name, direction] : opt.targets) {
        targets.push_back({{"name", name}, {"direction", direction}});
    }
    const SchedulerSpec& s = plan.scheduler;
    return {
        {"environments", std::move(environments)},
        {"optimizer",
         {{"class", opt.class_name},
          {"file", opt.file.empty() ? Json() : Json(opt.file)},
          {"targets", std::move(targets)},
          {"max_suggestions", opt.max_suggestions == 0 ? Json() : Json(opt.max_suggestions)},
          {"seed", opt.seed}}},
        {"scheduler",
         {{"class", "SyncScheduler"},
          {"file", s.file.empty() ? Json() : Json(s.file)},
          {"experiment_id", s.experiment_id},
          {"trial_config_repeat_count", s.trial_config_repeat_count},
          {"max_trials", s.max_trials <= 0 ? Json() : Json(s.max_trials)},
          {"num_trial_runners", s.num_trial_runners},
          {"teardown", s.teardown}}},
        {"storage",
         {{"drivername", plan.storage.drivername},
          {"location", plan.secrets.apply(plan.storage.location())}}},
    };
}

void print_named_values(std::ostream& out, const Json& rows, const std::string& indent,
                        bool aligned)
{
    std::size_t width = 0;
    for (const auto& row : rows) {
        width = std::max(width, row["name"].get<std::string>().size());
    }
    for (const auto& row : rows) {
        const std::string name = row["name"].get<std::string>();
        const std::string value =
            row["value"] == "******" ? std::string("******") : row["value"].dump();
        out << indent << escape_control(name)
            << (aligned ? std::string(width - name.size(), ' ') : std::string()) << " = "
            << escape_control(value) << "  [" << escape_control(row["source"].get<std::string>())
            << "]\n";
    }
}

void print_scripts(std::ostream& out, const Json& scripts, const std::string& indent)
{
    if (scripts.is_null()) {
        return;
    }
    for (const char* key : {"setup", "run", "teardown"}) {
        if (scripts[key].empty()) {
            continue;
        }
        out << indent << key << " (on " << scripts["runs_on"].get<std::string>() << "):\n";
        for (const auto& line : scripts[key]) {
            out << indent << "  $ " << escape_control(line.get<std::string>()) << "\n";
        }
    }
    if (!scripts["shell_env"].empty()) {
        out << indent << "shell environment:\n";
        for (const auto& [name, value] : scripts["shell_env"].items()) {
            out << indent << "  " << escape_control(name) << "="
                << escape_control(value.is_string() ? value.get<std::string>() : value.dump())
                << "\n";
        }
    }
}

void print_plan(std::ostream& out, const Json& doc)
{
    for (const auto& env : doc["environments"]) {
        const std::string indent(env["depth"].get<std::size_t>() * 2, ' ');
        const std::string pointer = env["pointer"].get<std::string>();
        out << indent << "environment '" << escape_control(env["name"].get<std::string>())
            << "' (" << env["class"].get<std::string>() << ") "
            << escape_control(env["file"].get<std::string>())
            << (pointer.empty() ? "" : " " + escape_control(pointer)) << "\n";
        print_named_values(out, env["parameters"], indent + "  ", true);
        if (!env["tunables"].empty()) {
            out << indent << "  tunables:\n";
            print_named_values(out, env["tunables"], indent + "    ", false);
        }
        print_scripts(out, env["scripts"], indent + "  ");
    }
    const Json& opt = doc["optimizer"];
    out << "optimizer " << opt["class"].get<std::string>() << " ["
        << (opt["file"].is_null() ? std::string("built-in default")
                                  : escape_control(opt["file"].get<std::string>()))
        << "]: targets";
    for (const auto& t : opt["targets"]) {
        out << " " << t["name"].get<std::string>() << " (" << t["direction"].get<std::string>()
            << ")";
    }
    out << ", max_suggestions "
        << (opt["max_suggestions"].is_null() ? std::string("unlimited")
                                             : opt["max_suggestions"].dump())
        << ", seed " << opt["seed"].dump() << "\n";
    const Json& s = doc["scheduler"];
    out << "scheduler SyncScheduler ["
        << (s["file"].is_null() ? std::string("built-in default")
                                : escape_control(s["file"].get<std::string>()))
        << "]: experiment '" << escape_control(s["experiment_id"].get<std::string>())
        << "', trial_config_repeat_count " << s["trial_config_repeat_count"].dump()
        << ", max_trials "
        << (s["max_trials"].is_null() ? std::string("unlimited") : s["max_trials"].dump())
        << ", num_trial_runners " << s["num_trial_runners"].dump() << ", teardown "
        << (s["teardown"].get<bool>() ? "yes" : "no") << "\n";
    out << "storage " << doc["storage"]["drivername"].get<std::string>() << " "
        << escape_control(doc["storage"]["location"].get<std::string>()) << "\n";
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
    bool json = false;
    app.add_flag("--json", json, "Print what would run as one JSON object");
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
    const Json doc = plan_document(plan);
    if (json) {
        std::cout << json_dump(doc, 2) << "\n";
        return 0;
    }
    std::ostringstream text;
    print_plan(text, doc);
    std::cout << plan.secrets.apply(text.str());
    return 0;
}

} // namespace mlosbench::app
