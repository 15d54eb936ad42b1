#include "mlosbench/launcher/launch_plan.hpp"

#include "detail/environment_loader.hpp"
#include "mlosbench/config/globals_view.hpp"
#include "mlosbench/config/template.hpp"
#include "mlosbench/launcher/host_pool.hpp"
#include "mlosbench/optimizers/optimizer_registry.hpp"
#include "mlosbench/schedulers/scheduler_registry.hpp"
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
    void load_host_pool();
    void collect_secrets();

    /// Globals replace the keys a component config already has, as in mlos_bench.
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
    opt = parse_optimizer_spec(std::move(opt.class_name), std::move(opt.file), std::move(config),
                               m_globals, m_plan.random_seed);
}

void PlanBuilder::apply_tunable_values()
{
    for (const auto* t : m_plan.tunables.tunables()) {
        m_plan.tunable_sources[t->name()] = "default";
    }
    bool random_init = m_options.random_init;
    if (const Parameter* p = m_globals.find("random_init")) {
        random_init = random_init || bool_setting(p->value, p->source, "random_init");
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
    std::optional<std::string> spec = m_options.scheduler;
    Referrer referrer{"", "--scheduler", {}};
    if (!spec && m_cli.contains("scheduler")) {
        spec = m_cli.at("scheduler").get<std::string>();
        referrer = cli_referrer("scheduler");
    }
    const SchedulerClass* cls = &scheduler_classes().front();
    std::string file;
    Json config = Json::object();
    if (spec) {
        const LoadedConfig loaded = m_plan.loader.load(*spec, ConfigKind::scheduler, referrer);
        file = loaded.origin;
        // The schema admits only the classes of the registry.
        cls = find_scheduler_class(loaded.doc.at("class").get<std::string>());
        if (cls == nullptr) {
            throw ConfigError(file, "/class",
                              "unknown scheduler class " + loaded.doc.at("class").dump());
        }
        config = loaded.doc.value("config", Json::object());
    }
    m_plan.scheduler = cls->parse(std::move(file), config, m_globals,
                                  experiment_id_from(m_plan.root.name), m_options.no_teardown);
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
    load_host_pool();
    detail::EnvironmentLoader env_loader(m_plan.loader, m_plan.tunables);
    m_plan.root = env_loader.load_root(*env, referrer, m_globals, services);
    if (!m_plan.host_pool.empty() && !uses_ssh_hostname(m_plan.root)) {
        throw ConfigError(m_plan.globals.find("host_pool")->source, "host_pool",
                          "no environment has the parameter ssh_hostname that the pool's hosts "
                          "set: declare it in required_args or const_args of the environments "
                          "that run on them");
    }
    load_optimizer();
    apply_tunable_values();
    build_scheduler();
    m_plan.storage = build_storage();
    find_unused_globals();
    collect_secrets();
    return std::move(m_plan);
}

void PlanBuilder::load_host_pool()
{
    const Parameter* global = m_globals.find("host_pool");
    if (global == nullptr) {
        return;
    }
    m_plan.host_pool = parse_host_pool(*global);
    const std::string source = global->source; // setting globals below moves them
    const auto size = static_cast<std::int64_t>(m_plan.host_pool.size());
    // Environments resolve their parameters (required_args) when they load, before a runner
    // binds them to its host: the first host gives those values.
    for (const auto& [name, param] : m_plan.host_pool.front()) {
        if (!m_plan.globals.contains(name)) {
            m_plan.globals.set(name, param.value, source + ": host_pool/0");
            m_globals.mark_read(name);
        }
    }
    const Parameter* runners = m_plan.globals.find("num_trial_runners");
    if (runners->source == "default") {
        m_plan.globals.set("num_trial_runners", size, source + ": host_pool");
    } else if (integer_global(m_globals, "num_trial_runners", 1, k_max_trial_runners) > size) {
        throw ConfigError(runners->source, "num_trial_runners",
                          "expected at most " + std::to_string(size) +
                              ": each trial runner needs a host of its own, and host_pool (" +
                              source + ") has " + std::to_string(size));
    }
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
    for (const PoolHost& host : m_plan.host_pool) {
        add(host);
    }
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
