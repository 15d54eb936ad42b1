#include "mlosbench/environments/environment_registry.hpp"

#include "mlosbench/config/class_names.hpp"
#include "mlosbench/environments/composite_env.hpp"
#include "mlosbench/environments/local_env.hpp"
#include "mlosbench/environments/local_fileshare_env.hpp"
#include "mlosbench/environments/mock_env.hpp"
#include "mlosbench/environments/remote_env.hpp"
#include "mlosbench/services/local_file_share_service.hpp"
#include "mlosbench/services/ssh_file_share_service.hpp"
#include "mlosbench/util/error.hpp"

#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <variant>

namespace mlosbench {
namespace {

// --- Settings parsers: the `config` keys of each class, validated by its schema ---

std::vector<std::string> string_list(const Json& config, const char* key)
{
    std::vector<std::string> out;
    if (config.contains(key)) {
        for (const auto& item : config.at(key)) {
            out.push_back(item.get<std::string>());
        }
    }
    return out;
}

ScriptSettings parse_script(const Json& config)
{
    ScriptSettings s;
    s.setup = string_list(config, "setup");
    s.run = string_list(config, "run");
    s.teardown = string_list(config, "teardown");
    s.results_stdout_pattern = optional_string(config, "results_stdout_pattern");
    s.shell_env_params = string_list(config, "shell_env_params");
    if (config.contains("shell_env_params_rename")) {
        for (const auto& [env_name, param] : config.at("shell_env_params_rename").items()) {
            s.shell_env_params_rename.emplace_back(env_name, param.get<std::string>());
        }
    }
    if (config.contains("timeout") && config.at("timeout").is_number()) {
        s.timeout = config.at("timeout").get<double>();
    }
    return s;
}

CompositeSettings parse_composite(const Json& /*config*/) { return {}; }

LocalSettings parse_local(const Json& config)
{
    LocalSettings s;
    s.script = parse_script(config);
    s.temp_dir = optional_string(config, "temp_dir");
    s.dump_params_file = optional_string(config, "dump_params_file");
    s.dump_meta_file = optional_string(config, "dump_meta_file");
    s.read_results_file = optional_string(config, "read_results_file");
    s.read_telemetry_file = optional_string(config, "read_telemetry_file");
    return s;
}

std::vector<FileTransfer> transfers(const Json& config, const char* key)
{
    std::vector<FileTransfer> out;
    if (config.contains(key)) {
        for (const auto& item : config.at(key)) {
            out.push_back({item.at("from").get<std::string>(), item.at("to").get<std::string>()});
        }
    }
    return out;
}

FileShareEnvSettings parse_file_share(const Json& config)
{
    return FileShareEnvSettings{parse_local(config), transfers(config, "upload"),
                                transfers(config, "download")};
}

RemoteSettings parse_remote(const Json& config)
{
    return RemoteSettings{parse_script(config), config.value("wait_boot", false)};
}

MockSettings parse_mock(const Json& config)
{
    MockSettings s;
    s.seed = config.value("mock_env_seed", static_cast<std::int64_t>(-1));
    if (config.contains("mock_env_range")) {
        const Json& r = config.at("mock_env_range");
        s.range = std::make_pair(r.at(0).get<double>(), r.at(1).get<double>());
    }
    if (config.contains("mock_env_metrics")) {
        s.metrics = string_list(config, "mock_env_metrics");
    }
    return s;
}

// --- Factories ---

template <typename Env>
std::unique_ptr<Environment> make(const EnvironmentSpec& spec, const RunnerContext& runner)
{
    return std::make_unique<Env>(spec, runner);
}

std::unique_ptr<FileShareService> make_file_share(const EnvironmentSpec& spec)
{
    if (spec.services.local_file_share) {
        return std::make_unique<LocalFileShareService>(*spec.services.local_file_share);
    }
    if (spec.services.ssh_file_share) {
        if (!spec.params.contains("ssh_hostname")) {
            throw ConfigError(spec.file, spec.pointer + "/config",
                              spec.class_name + " '" + spec.name +
                                  "' uses SshFileShareService and needs the parameter "
                                  "'ssh_hostname': declare it in const_args or required_args");
        }
        return std::make_unique<SshFileShareService>(*spec.services.ssh_file_share);
    }
    throw ConfigError(spec.file, spec.pointer,
                      spec.class_name + " '" + spec.name +
                          "' needs a file share service (LocalFileShareService or "
                          "SshFileShareService)");
}

std::unique_ptr<Environment> make_local_file_share(const EnvironmentSpec& spec,
                                                   const RunnerContext& runner)
{
    return std::make_unique<LocalFileShareEnv>(spec, runner, make_file_share(spec));
}

// --- The table ---

/// A visitor of one lambda per alternative.
template <typename... Fs> struct Overloaded : Fs...
{
    using Fs::operator()...;
};
template <typename... Fs> Overloaded(Fs...) -> Overloaded<Fs...>;

template <typename T, typename Variant> struct AlternativeIndex;

template <typename T, typename... Ts> struct AlternativeIndex<T, std::variant<Ts...>>
{
    static constexpr std::size_t value = [] {
        constexpr std::array<bool, sizeof...(Ts)> same = {std::is_same_v<T, Ts>...};
        for (std::size_t i = 0; i < same.size(); ++i) {
            if (same[i]) {
                return i;
            }
        }
        return same.size();
    }();
};

template <typename Settings, Settings (*Parse)(const Json&)>
EnvironmentSettings parse_as(const Json& config)
{
    return Parse(config);
}

/// A row whose parser yields `Settings`; its place in the variant comes from the type.
template <typename Settings, Settings (*Parse)(const Json&)>
constexpr EnvironmentClass row(std::string_view short_name,
                               std::span<const std::string_view> mlos_names,
                               std::unique_ptr<Environment> (*factory)(const EnvironmentSpec&,
                                                                       const RunnerContext&),
                               std::string_view description)
{
    return {short_name, mlos_names, AlternativeIndex<Settings, EnvironmentSettings>::value,
            &parse_as<Settings, Parse>, factory, description};
}

constexpr std::array<std::string_view, 2> k_composite_names = {
    "mlos_bench.environments.CompositeEnv", "mlos_bench.environments.composite_env.CompositeEnv"};
constexpr std::array<std::string_view, 3> k_local_names = {
    "mlos_bench.environments.LocalEnv", "mlos_bench.environments.local.LocalEnv",
    "mlos_bench.environments.local.local_env.LocalEnv"};
constexpr std::array<std::string_view, 3> k_local_file_share_names = {
    "mlos_bench.environments.LocalFileShareEnv", "mlos_bench.environments.local.LocalFileShareEnv",
    "mlos_bench.environments.local.local_fileshare_env.LocalFileShareEnv"};
constexpr std::array<std::string_view, 3> k_remote_names = {
    "mlos_bench.environments.RemoteEnv", "mlos_bench.environments.remote.RemoteEnv",
    "mlos_bench.environments.remote.remote_env.RemoteEnv"};
constexpr std::array<std::string_view, 2> k_mock_names = {
    "mlos_bench.environments.MockEnv", "mlos_bench.environments.mock_env.MockEnv"};

constexpr std::array<EnvironmentClass, std::variant_size_v<EnvironmentSettings>> k_classes = {{
    row<CompositeSettings, parse_composite>(
        "CompositeEnv", k_composite_names, make<CompositeEnv>,
        "children set up and run in order, torn down in reverse; their results merged"),
    row<LocalSettings, parse_local>(
        "LocalEnv", k_local_names, make<LocalEnv>,
        "setup/run/teardown lines through /bin/sh on this machine; results from a CSV or stdout"),
    row<FileShareEnvSettings, parse_file_share>(
        "LocalFileShareEnv", k_local_file_share_names, make_local_file_share,
        "a LocalEnv that uploads files to a file share before and downloads after its lines"),
    row<RemoteSettings, parse_remote>(
        "RemoteEnv", k_remote_names, make<RemoteEnv>,
        "setup/run/teardown lines over SSH on a remote host"),
    row<MockSettings, parse_mock>(
        "MockEnv", k_mock_names, make<MockEnv>,
        "no process: scores computed from the tunables (seeded noise), for trying optimizers"),
}};

// Row i holds alternative i: a missing row (value-initialized: index 0 at a place past 0) or
// one out of place stops the build here.
constexpr bool rows_follow_the_variant()
{
    for (std::size_t i = 0; i < k_classes.size(); ++i) {
        if (k_classes[i].settings_index != i) {
            return false;
        }
    }
    return true;
}
static_assert(rows_follow_the_variant(),
              "environment_registry: one row per EnvironmentSettings alternative, in its order");

} // namespace

std::span<const EnvironmentClass> environment_classes() { return k_classes; }

const EnvironmentClass* find_environment_class(std::string_view cls)
{
    return find_class_row<EnvironmentClass>(k_classes, cls);
}

const EnvironmentClass& environment_class(const EnvironmentSettings& settings)
{
    return k_classes.at(settings.index());
}

EnvironmentScripts environment_scripts(const EnvironmentSettings& settings)
{
    return std::visit(Overloaded{
                          [](const CompositeSettings&) { return EnvironmentScripts{}; },
                          [](const LocalSettings& s) {
                              return EnvironmentScripts{&s.script, true};
                          },
                          [](const FileShareEnvSettings& s) {
                              return EnvironmentScripts{&s.local.script, true};
                          },
                          [](const RemoteSettings& s) {
                              return EnvironmentScripts{&s.script, false};
                          },
                          [](const MockSettings&) { return EnvironmentScripts{}; },
                      },
                      settings);
}

} // namespace mlosbench
