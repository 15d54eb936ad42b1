#pragma once

#include "mlosbench/config/schema_validator.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// The `class` names config files may use, as the schemas of config/schemas/ list them (each
/// `if` branch of a schema's class dispatch holds the spellings of one class). Each class has
/// a short name of ours (`LocalEnv`, `SshHostService`, `TpeOptimizer`, ...) and, when
/// mlos_bench has it, every module path mlos_bench accepts
/// (`mlos_bench.environments.local.local_env.LocalEnv`, ...). The registry of each area
/// (environment_registry.hpp, service_registry.hpp, ...) binds the same names to code; tests
/// keep the two in step. The schemas are read on first use.

/// Our short name for `cls` when it names a class of `kind` that mlosbench provides, in any
/// spelling; nullopt otherwise (unknown, unsupported, or a class of another kind).
[[nodiscard]] std::optional<std::string> canonical_class_name(ConfigKind kind,
                                                              std::string_view cls);

/// True when `cls` is an mlos_bench class of `kind` that mlosbench deliberately does not
/// provide: cloud/VM/OS/host/SaaS/network environments, Azure services, mlos_bench's test
/// doubles other than MockEnv and MockOptimizer (e.g. `mlos_bench.tests.services...Mock*`).
[[nodiscard]] bool is_unsupported_class(ConfigKind kind, std::string_view cls);

/// The short names of the classes of `kind` mlosbench provides, sorted ({} for kinds without
/// classes: cli, globals, tunable-params, tunable-values).
[[nodiscard]] std::vector<std::string> short_class_names(ConfigKind kind);

/// Every accepted spelling (short names and mlos_bench module paths) of the classes of `kind`.
[[nodiscard]] std::vector<std::string> all_class_names(ConfigKind kind);

/// The kind whose classes `cls` names: from the list above (provided or unsupported), else
/// from an mlos_bench module prefix (`mlos_bench.environments.` ...). nullopt when unknown.
[[nodiscard]] std::optional<ConfigKind> class_kind(std::string_view cls);

/// The row of `rows` (a class registry: rows with `short_name` and `mlos_names`) that `cls`
/// names in any spelling; nullptr when none.
template <typename Row>
[[nodiscard]] const Row* find_class_row(std::span<const Row> rows, std::string_view cls)
{
    for (const Row& row : rows) {
        if (row.short_name == cls) {
            return &row;
        }
        for (const std::string_view name : row.mlos_names) {
            if (name == cls) {
                return &row;
            }
        }
    }
    return nullptr;
}

/// True when a storage `drivername` is one mlosbench can use: `sqlite` or `postgresql`,
/// optionally with a `+dbapi` suffix (`postgresql+psycopg2`).
[[nodiscard]] bool is_supported_storage_driver(std::string_view drivername);

} // namespace mlosbench
