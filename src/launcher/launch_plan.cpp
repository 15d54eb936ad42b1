#include "mlosbench/launcher/launch_plan.hpp"

#include "detail/environment_loader.hpp"
#include "mlosbench/config/globals_view.hpp"
#include "mlosbench/config/template.hpp"
#include "mlosbench/optimizers/optimizer_registry.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/strings.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <set>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace mlosbench {
namespace {

// Keys of the CLI config that name files; the others become the lowest layer of globals.
const std::set<std::string> k_cli_path_keys = {"$schema",     "description", "config_path",
                                               "services",    "scheduler",   "environment",
                                               "optimizer",   "storage",     "tunable_values",
                                               "globals",     "teardown",    "log_file"};

std::vector<std::string> string_or_list(const Json& value)
{
    std::vector<std::string> out;
    if (value.is_string()) {
        out.push_back(value.get<std::string>());
    } else if (value.is_array()) {
        for (const auto& item : value) {
            out.push_back(item.get<std::string>());
        }
    }
    return out;
}

std::int64_t integer_global(const GlobalsView& globals,
                            const std::string& name,
                            std::int64_t minimum,
                            std::int64_t maximum = std::numeric_limits<std::int64_t>::max())
{
    const Parameter* p = globals.find(name);
    const Json& v = p->value;
    std::int64_t out = 0;
    if (v.is_number_integer()) {
        out = v.get<std::int64_t>();
    } else if (v.is_string() && parse_scalar_text(v.get<std::string>()).is_number_integer()) {
        out = parse_scalar_text(v.get<std::string>()).get<std::int64_t>();
    } else {
        throw ConfigError(p->source, name, "expected an integer, got " + v.dump());
    }
    if (out < minimum) {
        throw ConfigError(p->source, name,
                          "expected an integer >= " + std::to_string(minimum) + ", got " +
                              std::to_string(out));
    }
    if (out > maximum) {
        throw ConfigError(p->source, name,
                          "expected an integer from " + std::to_string(minimum) + " to " +
                              std::to_string(maximum) + ", got " + std::to_string(out));
    }
    return out;
}

bool bool_value(const Json& v, const std::string& source, const std::string& name)
{
    if (v.is_boolean()) {
        return v.get<bool>();
    }
    if (v.is_string()) {
        const std::string t = to_lower(v.get<std::string>());
        if (t == "true" || t == "1" || t == "yes" || t == "on") {
            return true;
        }
        if (t == "false" || t == "0" || t == "no" || t == "off") {
            return false;
        }
    }
    if (v.is_number_integer()) {
        return v.get<std::int64_t>() != 0;
    }
    throw ConfigError(source, name, "expected true or false, got " + v.dump());
}

// Turns an environment name into a valid experiment id ([a-zA-Z0-9_.-]+).
std::string experiment_id_from(const std::string& name)
{
    std::string out;
    for (char c : name) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
                        c == '.' || c == '-';
        out += ok ? c : '_';
    }
    return out.empty() ? "mlosbench" : out;
}

class PlanBuilder
{
public:
    explicit PlanBuilder(const LaunchOptions& options) : m_options(options) {}

    LaunchPlan build();
    StorageSpec storage_only();

private:
    void load_cli_config();
    void make_loader();
    void build_globals();
    ServiceSet load_services();
    void load_optimizer();
    void apply_tunable_values();
    void build_scheduler();
    StorageSpec build_storage();
    void find_unused_globals();
    void collect_secrets();

    /// Globals replace the keys a component config already has (reference 2.4).
    Json merge_globals(Json config) { return m_globals.override_existing(std::move(config)); }
    [[nodiscard]] Referrer cli_referrer(const std::string& key) const
    {
        return {m_plan.cli_config, "/" + key, m_cli_dir};
    }

    const LaunchOptions& m_options;
    LaunchPlan m_plan;
    Json m_cli = Json::object();
    fs::path m_cli_dir;
    /// Every component reads the globals through this view, which records what was read.
    GlobalsView m_globals{m_plan.globals};
};

void PlanBuilder::load_cli_config()
{
    if (!m_options.config) {
        return;
    }
    const ConfigLoader bootstrap(ConfigLoader::make_search_path(m_options.config_paths));
    const LoadedConfig cli = bootstrap.load(*m_options.config, ConfigKind::cli, {"", "--config", {}});
    m_cli = cli.doc;
    m_plan.cli_config = cli.origin;
    m_cli_dir = cli.dir;
}

void PlanBuilder::make_loader()
{
    std::vector<std::string> entries = m_options.config_paths;
    if (m_cli.contains("config_path")) {
        for (const auto& p : string_or_list(m_cli.at("config_path"))) {
            // mlos_bench resolves these against the current directory; a path relative to the
            // CLI file is also understood.
            std::error_code ec;
            const fs::path as_given(p);
            if (as_given.is_relative() && !fs::exists(as_given, ec) &&
                fs::exists(m_cli_dir / as_given, ec)) {
                entries.push_back((m_cli_dir / as_given).string());
            } else {
                entries.push_back(p);
            }
        }
    }
    m_plan.loader = ConfigLoader(ConfigLoader::make_search_path(entries));
}

void PlanBuilder::build_globals()
{
    Parameters& g = m_plan.globals;
    const std::string cli_source = "CLI config " + m_plan.cli_config;
    // 1. Non-path keys of the CLI config whose flag was not given.
    for (const auto& [key, value] : m_cli.items()) {
        if (k_cli_path_keys.count(key) == 0) {
            g.set(key, value, cli_source);
        }
    }
    // 2. Globals files: the CLI config's, then each --globals, later files winning.
    std::vector<std::pair<std::string, Referrer>> files;
    if (m_cli.contains("globals")) {
        const auto list = string_or_list(m_cli.at("globals"));
        for (std::size_t i = 0; i < list.size(); ++i) {
            files.emplace_back(list[i], Referrer{m_plan.cli_config,
                                                 m_cli.at("globals").is_array()
                                                     ? "/globals/" + std::to_string(i)
                                                     : "/globals",
                                                 m_cli_dir});
        }
    }
    for (const auto& path : m_options.globals) {
        files.emplace_back(path, Referrer{"", "--globals", {}});
    }
    for (const auto& [path, referrer] : files) {
        const LoadedConfig loaded = m_plan.loader.load(path, ConfigKind::globals, referrer);
        for (const auto& [key, value] : loaded.doc.items()) {
            if (key != "$schema" && key != "description") {
                g.set(key, value, loaded.origin);
            }
        }
    }
    // 3. Unknown --key value pairs, "-" in keys turned into "_".
    for (const auto& [key, text] : m_options.extra_args) {
        std::string name = key;
        std::replace(name.begin(), name.end(), '-', '_');
        g.set(name, parse_scalar_text(text), "--" + key);
    }
    // 4. Dedicated flags.
    if (m_options.experiment_id) {
        g.set("experiment_id", *m_options.experiment_id, "--experiment-id");
    }
    if (m_options.trial_config_repeat_count) {
        g.set("trial_config_repeat_count", *m_options.trial_config_repeat_count,
              "--trial-config-repeat-count");
    }
    if (m_options.num_trial_runners) {
        g.set("num_trial_runners", *m_options.num_trial_runners, "--num-trial-runners");
    }
    if (!g.contains("num_trial_runners")) {
        g.set("num_trial_runners", 1, "default");
    }
    if (!g.contains("trial_id")) {
        g.set("trial_id", 1, "default");
    }
    Json search = Json::array();
    for (const auto& dir : m_plan.loader.search_path()) {
        search.push_back(dir.string());
    }
    g.set("config_path", search, "search path");

    // 5. $var expansion in key order: the globals so far, then the process environment.
    Parameters expanded;
    for (const auto& [name, param] : g) {
        const VariableLookup lookup = [&](std::string_view var) -> std::optional<std::string> {
            if (auto v = expanded.text(var)) {
                m_globals.mark_read(var);
                return v;
            }
            if (var != name) {
                if (auto v = g.text(var)) {
                    m_globals.mark_read(var);
                    return v;
                }
            }
            return lookup_process_env(var);
        };
        expanded.set(name, expand_json(param.value, lookup), param.source);
    }
    g = std::move(expanded);

    const std::int64_t runners =
        integer_global(m_globals, "num_trial_runners", 1, k_max_trial_runners);
    if (m_options.num_trial_runners && runners < 1) {
        throw ConfigError("", "--num-trial-runners", "expected a positive integer");
    }
}

ServiceSet PlanBuilder::load_services()
{
    ServiceSet services;
    services.local_exec = LocalExecSettings{}; // always there, as in mlos_bench's launcher
    std::vector<std::pair<std::string, Referrer>> files;
    if (m_cli.contains("services")) {
        const auto list = string_or_list(m_cli.at("services"));
        for (std::size_t i = 0; i < list.size(); ++i) {
            files.emplace_back(list[i], cli_referrer("services/" + std::to_string(i)));
        }
    }
    for (const auto& path : m_options.services) {
        files.emplace_back(path, Referrer{"", "--service", {}});
    }
    for (const auto& [path, referrer] : files) {
        const LoadedConfig loaded = m_plan.loader.load(path, ConfigKind::service, referrer);
        services.add_from_json(loaded.doc, loaded.origin, m_globals);
    }
    return services;
}

void PlanBuilder::load_optimizer()
{
    OptimizerSpec& opt = m_plan.optimizer;
    std::optional<std::string> spec = m_options.optimizer;
    Referrer referrer{"", "--optimizer", {}};
    if (!spec && m_cli.contains("optimizer")) {
        spec = m_cli.at("optimizer").get<std::string>();
        referrer = cli_referrer("optimizer");
    }
    Json config = Json::object();
    if (spec) {
        const LoadedConfig loaded = m_plan.loader.load(*spec, ConfigKind::optimizer, referrer);
        opt.file = loaded.origin;
        const std::string cls = loaded.doc.at("class").get<std::string>();
        const OptimizerClass* opt_class = find_optimizer_class(cls);
        opt.class_name = opt_class != nullptr ? std::string(opt_class->short_name) : cls;
        config = merge_globals(loaded.doc.value("config", Json::object()));
        if (loaded.doc.contains("include_tunables")) {
            const Json& list = loaded.doc.at("include_tunables");
            for (std::size_t i = 0; i < list.size(); ++i) {
                const LoadedConfig t = m_plan.loader.load(
                    list[i].get<std::string>(), ConfigKind::tunable_params,
                    {loaded.origin, "/include_tunables/" + std::to_string(i), loaded.dir});
                m_plan.tunables.add_from_json(t.doc, t.origin);
            }
        }
    }
    // The well-known optimizer keys come from the globals whatever the config has.
    for (const char* key :
         {"optimization_targets", "max_suggestions", "seed", "start_with_defaults"}) {
        if (const Parameter* p = m_globals.find(key)) {
            config[key] = p->value;
        }
    }
    const std::string where = opt.file.empty() ? std::string("globals") : opt.file;
    if (config.contains("optimization_targets")) {
        const Json& targets = config.at("optimization_targets");
        if (!targets.is_object() || targets.empty()) {
            throw ConfigError(where, "/config/optimization_targets",
                              "expected an object of target -> \"min\" or \"max\"");
        }
        opt.targets.clear();
        for (const auto& [name, direction] : targets.items()) {
            const std::string d = direction.is_string() ? direction.get<std::string>() : "";
            if (d != "min" && d != "max") {
                throw ConfigError(where, "/config/optimization_targets/" + name,
                                  "expected \"min\" or \"max\", got " + direction.dump());
            }
            opt.targets.emplace_back(name, d);
        }
    }
    if (config.contains("max_suggestions")) {
        const Json& v = config.at("max_suggestions");
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
            throw ConfigError(where, "/config/max_suggestions",
                              "expected an integer >= 0, got " + v.dump());
        }
        opt.max_suggestions = v.get<std::int64_t>();
    }
    if (config.contains("seed")) {
        const Json& v = config.at("seed");
        if (!v.is_number_integer()) {
            throw ConfigError(where, "/config/seed", "expected an integer, got " + v.dump());
        }
        opt.seed = v.get<std::int64_t>();
        opt.seed_from_config = true;
    } else if (m_plan.random_seed) {
        opt.seed = *m_plan.random_seed;
    }
    if (config.contains("start_with_defaults")) {
        opt.start_with_defaults =
            bool_value(config.at("start_with_defaults"), where, "start_with_defaults");
    }
    if (opt.class_name == "OneShotOptimizer") {
        // OneShot runs the current values once, whatever budget the configs give: say so, as
        // a globals file asking for 20 suggestions would otherwise run 1 trial in silence.
        if (config.contains("max_suggestions") && opt.max_suggestions != 1) {
            const Parameter* p = m_plan.globals.find("max_suggestions");
            spdlog::warn("max_suggestions {} ({}) is ignored: {} runs the current tunable values "
                         "once; pass --optimizer (e.g. optimizers/mock_opt.jsonc) to use it",
                         opt.max_suggestions, p != nullptr ? p->source : where,
                         opt.file.empty() ? "OneShotOptimizer (the default without --optimizer)"
                                          : "OneShotOptimizer");
        }
        opt.max_suggestions = 1;
    }
    opt.config = std::move(config);
}

void PlanBuilder::apply_tunable_values()
{
    for (const auto* t : m_plan.tunables.tunables()) {
        m_plan.tunable_sources[t->name()] = "default";
    }
    bool random_init = m_options.random_init;
    if (const Parameter* p = m_globals.find("random_init")) {
        random_init = random_init || bool_value(p->value, p->source, "random_init");
    }
    if (random_init) {
        std::mt19937_64 rng(static_cast<std::uint64_t>(m_plan.random_seed.value_or(42)));
        m_plan.tunables.randomize(rng);
        for (auto& [name, source] : m_plan.tunable_sources) {
            source = "--random-init";
        }
    }
    std::vector<std::pair<std::string, Referrer>> files;
    if (m_cli.contains("tunable_values")) {
        const auto list = string_or_list(m_cli.at("tunable_values"));
        for (std::size_t i = 0; i < list.size(); ++i) {
            files.emplace_back(list[i], cli_referrer("tunable_values"));
        }
    }
    for (const auto& path : m_options.tunable_values) {
        files.emplace_back(path, Referrer{"", "--tunable-values", {}});
    }
    for (const auto& [path, referrer] : files) {
        const LoadedConfig loaded =
            m_plan.loader.load(path, ConfigKind::tunable_values, referrer);
        m_plan.tunables.apply_values_json(loaded.doc, loaded.origin);
        const bool reset = std::none_of(loaded.doc.items().begin(), loaded.doc.items().end(),
                                        [](const auto& item) {
                                            return item.key() != "$schema" &&
                                                   item.key() != "description";
                                        });
        for (auto& [name, source] : m_plan.tunable_sources) {
            if (reset) {
                source = "default (reset by " + loaded.origin + ")";
            } else if (loaded.doc.contains(name)) {
                source = loaded.origin;
            }
        }
    }
}

void PlanBuilder::build_scheduler()
{
    SchedulerSpec& s = m_plan.scheduler;
    std::optional<std::string> spec = m_options.scheduler;
    Referrer referrer{"", "--scheduler", {}};
    if (!spec && m_cli.contains("scheduler")) {
        spec = m_cli.at("scheduler").get<std::string>();
        referrer = cli_referrer("scheduler");
    }
    Json config = {{"teardown", true}, {"max_trials", -1}, {"trial_config_repeat_count", 1},
                   {"config_id", -1}};
    std::string where = "scheduler";
    if (spec) {
        const LoadedConfig loaded = m_plan.loader.load(*spec, ConfigKind::scheduler, referrer);
        s.file = loaded.origin;
        where = loaded.origin;
        const Json file_config = loaded.doc.value("config", Json::object());
        for (const auto& [key, value] : file_config.items()) {
            config[key] = value;
        }
    }
    config = merge_globals(std::move(config));
    for (const char* key : {"experiment_id", "trial_id"}) {
        if (const Parameter* p = m_globals.find(key)) {
            config[key] = p->value;
        }
    }
    s.experiment_id = config.contains("experiment_id") && config.at("experiment_id").is_string()
                          ? config.at("experiment_id").get<std::string>()
                          : experiment_id_from(m_plan.root.name);
    if (s.experiment_id.empty()) {
        const Parameter* p = m_plan.globals.find("experiment_id");
        throw ConfigError(p != nullptr ? p->source : where,
                          p != nullptr ? "experiment_id" : "/config/experiment_id",
                          "expected an experiment id, got ''");
    }
    // A value from the globals is reported where it came from (a globals file, --key).
    const auto number = [&](const char* key, std::int64_t minimum, std::int64_t maximum) {
        const Json& v = config.at(key);
        const Parameter* p = m_plan.globals.find(key);
        const std::string file = p != nullptr ? p->source : where;
        const std::string pointer = p != nullptr ? std::string(key) : std::string("/config/") + key;
        if (!v.is_number_integer() || v.get<std::int64_t>() < minimum) {
            throw ConfigError(file, pointer,
                              "expected an integer >= " + std::to_string(minimum) + ", got " +
                                  v.dump());
        }
        if (v.get<std::int64_t>() > maximum) {
            throw ConfigError(file, pointer,
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
    const Parameter* max_trials = m_plan.globals.find("max_trials");
    const bool from_flag = max_trials != nullptr && max_trials->source.rfind("--", 0) == 0;
    s.max_trials = number("max_trials", from_flag ? 1 : -1, k_any);
    s.trial_config_repeat_count =
        number("trial_config_repeat_count", 1, k_max_trial_config_repeat_count);
    s.teardown = bool_value(config.at("teardown"), where, "teardown");
    if (m_options.no_teardown) {
        s.teardown = false; // always honoured, scheduler file or not
    }
    s.num_trial_runners =
        static_cast<int>(integer_global(m_globals, "num_trial_runners", 1, k_max_trial_runners));
}

StorageSpec PlanBuilder::build_storage()
{
    std::optional<std::string> spec = m_options.storage;
    Referrer referrer{"", "--storage", {}};
    if (!spec && m_cli.contains("storage")) {
        spec = m_cli.at("storage").get<std::string>();
        referrer = cli_referrer("storage");
    }
    if (!spec) {
        StorageSpec st;
        st.database = (fs::current_path() / "mlosbench.db").string();
        return st;
    }
    if (is_storage_location(*spec)) {
        return storage_spec_from_location(*spec,
                                          referrer.file.empty() ? referrer.pointer : referrer.file);
    }
    const LoadedConfig loaded = m_plan.loader.load(*spec, ConfigKind::storage, referrer);
    return storage_spec_from_config(
        merge_globals(loaded.doc.value("config", Json::object())), loaded.origin, loaded.dir,
        string_or_list(loaded.doc.value("resolve_config_property_paths", Json())));
}

void PlanBuilder::find_unused_globals()
{
    // The launcher owns these without reading them: the search path it sets itself, a
    // log_file (--log-file or the CLI config's key decide it), and the map that `$name`
    // entries of tunable_params look up (no typo when no environment refers to it).
    for (const char* owned : {"config_path", "log_file", "tunable_params_map"}) {
        m_globals.mark_read(owned);
    }
    m_plan.unused_globals = m_globals.unread();
}

LaunchPlan PlanBuilder::build()
{
    load_cli_config();
    make_loader();
    build_globals();
    if (m_plan.globals.contains("random_seed")) {
        m_plan.random_seed = integer_global(m_globals, "random_seed", INT64_MIN);
    }
    if (m_options.random_seed) {
        m_plan.random_seed = m_options.random_seed;
    }
    m_plan.log_file = m_options.log_file;
    if (!m_plan.log_file && m_cli.contains("log_file")) {
        m_plan.log_file = m_cli.at("log_file").get<std::string>();
    }
    // --log-level wins over a global log_level, which is read all the same.
    const Parameter* log_level = m_globals.find("log_level");
    m_plan.log_level = m_options.log_level;
    if (!m_plan.log_level && log_level != nullptr) {
        m_plan.log_level = json_to_text(log_level->value);
    }

    const ServiceSet services = load_services();
    std::optional<std::string> env = m_options.environment;
    Referrer referrer{"", "--environment", {}};
    if (!env && m_cli.contains("environment")) {
        env = m_cli.at("environment").get<std::string>();
        referrer = cli_referrer("environment");
    }
    if (!env) {
        throw ConfigError("", "--environment",
                          "no environment given: pass --environment FILE or set 'environment' "
                          "in the --config file");
    }
    detail::EnvironmentLoader env_loader(m_plan.loader, m_plan.tunables);
    m_plan.root = env_loader.load_root(*env, referrer, m_globals, services);
    load_optimizer();
    apply_tunable_values();
    build_scheduler();
    m_plan.storage = build_storage();
    find_unused_globals();
    collect_secrets();
    return std::move(m_plan);
}

void PlanBuilder::collect_secrets()
{
    // Strings only: a number or a boolean under a secret name is no credential, and masking
    // "true" everywhere would hide too much.
    const auto add = [&](const Parameters& params) {
        for (const auto& [name, param] : params) {
            if (is_secret_name(name) && param.value.is_string()) {
                m_plan.secrets.add(param.value.get<std::string>());
            }
        }
    };
    add(m_plan.globals);
    m_plan.root.walk([&](const EnvironmentSpec& env, int /*depth*/) { add(env.params); });
    if (m_plan.storage.password) {
        m_plan.secrets.add(*m_plan.storage.password);
    }
    // `$name` falls back to the process environment.
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const auto equals = text.find('=');
        if (equals == std::string_view::npos || !is_secret_name(text.substr(0, equals))) {
            continue;
        }
        const std::string value(text.substr(equals + 1));
        const std::string lower = to_lower(value);
        if (lower != "true" && lower != "false") {
            m_plan.secrets.add(value);
        }
    }
}

StorageSpec PlanBuilder::storage_only()
{
    load_cli_config();
    make_loader();
    build_globals();
    return build_storage();
}

} // namespace

LaunchPlan load_launch_plan(const LaunchOptions& options) { return PlanBuilder(options).build(); }

StorageSpec load_storage_spec(const LaunchOptions& options)
{
    return PlanBuilder(options).storage_only();
}

} // namespace mlosbench
