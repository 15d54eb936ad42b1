#pragma once

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/services/service_settings.hpp"
#include "mlosbench/util/json.hpp"

#include <span>
#include <string_view>

namespace mlosbench {

/// One service class mlosbench provides: how configs name it and how its `config` section
/// becomes a capability of a ServiceSet.
struct ServiceClass
{
    std::string_view short_name;                  ///< ours: "SshHostService"
    std::span<const std::string_view> mlos_names; ///< mlos_bench's module paths of it
    /// Reads the class's keys of a validated `config` (globals applied) into the capability
    /// of `services` it provides, replacing an earlier one; `$var`s of `temp_dir` expand
    /// against `globals`.
    void (*add_settings)(ServiceSet& services,
                         const Json& config,
                         const Parameters& globals) = nullptr;
    std::string_view description; ///< one line, for `mlosbench list`
};

/// The service classes; the names are those of the `class` enum of
/// config/schemas/services/service-schema.json.
[[nodiscard]] std::span<const ServiceClass> service_classes();

/// The class `cls` names (short name or an mlos_bench module path); nullptr when none.
[[nodiscard]] const ServiceClass* find_service_class(std::string_view cls);

} // namespace mlosbench
