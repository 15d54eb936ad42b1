#pragma once

#include "mlosbench/config/config_loader.hpp"
#include "mlosbench/config/globals_view.hpp"
#include "mlosbench/config/parameters.hpp"
#include "mlosbench/environments/environment_spec.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"

#include <string>
#include <vector>

namespace mlosbench::detail {

/// Loads an environment tree (docs/architecture.md, "Loading"): include_tunables into `tunables`,
/// include_services on top of the parent's, const_args / required_args resolved against the
/// globals the environment sees, children of composites with the parent's const_args.
/// The globals an environment reads are read through the view, which records them.
class EnvironmentLoader
{
public:
    EnvironmentLoader(const ConfigLoader& loader, TunableGroups& tunables)
        : m_loader(loader), m_tunables(tunables)
    {
    }

    /// Loads the root environment named on the command line (path or inline JSON).
    [[nodiscard]] EnvironmentSpec load_root(const std::string& spec,
                                            const Referrer& referrer,
                                            const GlobalsView& globals,
                                            const ServiceSet& services);

private:
    EnvironmentSpec load(const Json& doc,
                         const std::string& file,
                         const std::string& pointer,
                         const std::filesystem::path& dir,
                         const GlobalsView& globals,
                         const Parameters* parent_params,
                         const ServiceSet& services);
    void check_groups(const EnvironmentSpec& spec) const;
    void check_scripts(const EnvironmentSpec& spec) const;

    const ConfigLoader& m_loader;
    TunableGroups& m_tunables;
    std::vector<std::string> m_include_stack; ///< files being loaded, for cycle detection
    std::size_t m_environments = 0;           ///< environments loaded so far
};

} // namespace mlosbench::detail
