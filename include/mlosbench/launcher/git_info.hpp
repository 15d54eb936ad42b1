#pragma once

#include <filesystem>
#include <string>

namespace mlosbench {

/// The git repository holding a config, as stored with an experiment (mlos_bench's columns).
struct GitInfo
{
    /// remote URL (upstream, else origin) without credentials, else file://<toplevel>; ""
    /// outside git
    std::string repo;
    std::string commit;   ///< HEAD commit; "" outside git
    std::string rel_path; ///< the file's path relative to the repository root, else as given
};

/// A remote URL without the credentials it may carry: `https://user:token@host/repo` gives
/// `https://host/repo` (any userinfo of a `scheme://` URL goes); scp-like `git@host:repo`
/// and paths are unchanged.
[[nodiscard]] std::string url_without_credentials(const std::string& url);

/// Asks git about `file` (a few quick `git` calls); empty fields when it is not in a
/// repository or git is missing. Never throws for that.
[[nodiscard]] GitInfo git_info(const std::filesystem::path& file);

} // namespace mlosbench
