#pragma once

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/services/service_settings.hpp"
#include "mlosbench/util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mlosbench {

/// Keys shared by script environments (LocalEnv, LocalFileShareEnv, RemoteEnv; docs/trials.md).
struct ScriptSettings
{
    std::vector<std::string> setup;
    std::vector<std::string> run;
    std::vector<std::string> teardown;
    std::optional<std::string> results_stdout_pattern;
    std::vector<std::string> shell_env_params;
    std::vector<std::pair<std::string, std::string>> shell_env_params_rename; ///< env -> param
    std::optional<double> timeout; ///< seconds per script line; ours
};

/// LocalEnv (docs/trials.md).
struct LocalSettings
{
    ScriptSettings script;
    std::optional<std::string> temp_dir;
    std::optional<std::string> dump_params_file;
    std::optional<std::string> dump_meta_file;
    std::optional<std::string> read_results_file;
    std::optional<std::string> read_telemetry_file;
};

struct FileTransfer
{
    std::string from;
    std::string to;
};

/// LocalFileShareEnv: LocalEnv plus file transfers.
struct FileShareEnvSettings
{
    LocalSettings local;
    std::vector<FileTransfer> upload;
    std::vector<FileTransfer> download;
};

/// RemoteEnv (docs/remote.md).
struct RemoteSettings
{
    ScriptSettings script;
    bool wait_boot = false;
};

/// MockEnv: scores without a benchmark.
struct MockSettings
{
    std::int64_t seed = -1;
    std::optional<std::pair<double, double>> range;
    std::vector<std::string> metrics = {"score"};
};

/// CompositeEnv: its children are in EnvironmentSpec::children.
struct CompositeSettings
{
};

/// The settings of each environment class: environment_registry.hpp has one row per
/// alternative (its names, parser and factory), so a new one does not build without its row.
using EnvironmentSettings = std::variant<CompositeSettings, LocalSettings, FileShareEnvSettings,
                                         RemoteSettings, MockSettings>;

/// An environment as loaded from its config: everything needed to build runnable
/// instances of it (one per trial runner), with parameters resolved and their sources kept.
struct EnvironmentSpec
{
    std::string name;
    std::string class_name; ///< our short name: LocalEnv, CompositeEnv, ...
    std::string file;       ///< the config it came from
    std::string pointer;    ///< where in that file ("" for a file's root)
    /// const_args and required_args resolved against globals and the parent; plus
    /// experiment_id, trial_id and trial_runner_id (null until a trial sets them).
    Parameters params;
    std::vector<std::string> tunable_params; ///< covariant group names, `$refs` expanded
    ServiceSet services;
    EnvironmentSettings settings;
    std::vector<EnvironmentSpec> children;

    /// Calls `visit(spec, depth)` on this spec and its descendants, depth first.
    template <typename Visitor>
    void walk(Visitor&& visit, int depth = 0) const
    {
        visit(*this, depth);
        for (const auto& child : children) {
            child.walk(visit, depth + 1);
        }
    }
};

} // namespace mlosbench
