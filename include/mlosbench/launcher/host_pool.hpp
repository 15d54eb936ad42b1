#pragma once

#include "mlosbench/config/parameters.hpp"
#include "mlosbench/environments/environment_spec.hpp"

#include <string>
#include <vector>

namespace mlosbench {

/// One machine of a host pool: the parameters a trial runner bound to it gives its
/// environments (ssh_hostname, and ssh_port, ssh_username, ssh_priv_key_path... when set).
using PoolHost = Parameters;

/// Reads the `host_pool` global (docs/scale-out.md): a list with one entry per machine, each
/// a "[USER@]HOST[:PORT]" string or an object of parameters that has at least ssh_hostname.
/// Throws ConfigError naming `global.source`, `host_pool/N` and what was expected.
[[nodiscard]] std::vector<PoolHost> parse_host_pool(const Parameter& global);

/// The environment tree `root` for a trial runner bound to `host`: every environment that has
/// a parameter of the host's gets the host's value of it.
[[nodiscard]] EnvironmentSpec bind_to_host(const EnvironmentSpec& root, const PoolHost& host);

/// Whether any environment of `root` has the parameter ssh_hostname (a host pool needs one).
[[nodiscard]] bool uses_ssh_hostname(const EnvironmentSpec& root);

} // namespace mlosbench
