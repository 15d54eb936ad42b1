#pragma once

#include "mlosbench/config/schema_validator.hpp"
#include "mlosbench/util/json.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlosbench {

/// Who names a config or script path, for resolving it and for error messages.
struct Referrer
{
    std::string file;              ///< the naming file ("" for the command line)
    std::string pointer;           ///< JSON pointer of the naming key, or the flag ("--globals")
    std::filesystem::path base_dir; ///< relative paths are tried here first ("" = none)
};

/// A loaded and validated config document.
// NOLINTNEXTLINE(bugprone-exception-escape): Json's destructor allocates (a stack of children)
struct LoadedConfig
{
    Json doc;
    std::string origin;          ///< the file's path as resolved, or "inline JSON of --flag"
    std::filesystem::path dir;   ///< directory for paths it names (the file's, or the cwd)
};

/// Finds and loads configs along the search path: the naming file's directory first, then the
/// current directory, `--config-path` entries, the CLI file's `config_path`, the built-in
/// `config/` directory.
class ConfigLoader
{
public:
    /// `search_path` in order of preference; see make_search_path.
    explicit ConfigLoader(std::vector<std::filesystem::path> search_path);

    /// cwd, then each entry (made absolute against cwd, duplicates dropped), then the
    /// built-in config directory.
    [[nodiscard]] static std::vector<std::filesystem::path>
    make_search_path(const std::vector<std::string>& entries);

    [[nodiscard]] const std::vector<std::filesystem::path>& search_path() const
    {
        return m_search_path;
    }

    /// The first existing candidate for `path` (absolute paths as they are); nullopt if none.
    [[nodiscard]] std::optional<std::filesystem::path> find(const std::string& path,
                                                            const Referrer& referrer) const;
    /// find(), or ConfigError naming the referrer and the places looked in.
    [[nodiscard]] std::filesystem::path require(const std::string& path,
                                                const Referrer& referrer) const;

    /// Loads `spec` (a path, or inline JSON when it contains '{' or '['), parses it as JSONC and
    /// validates it against the schema of `kind`. Throws ConfigError(s). A file is read,
    /// parsed and validated once: later loads of it as the same kind, by whatever spelling
    /// (`a.jsonc`, `./a.jsonc`, `../x/a.jsonc`, a symlink), return the first result.
    [[nodiscard]] LoadedConfig load(const std::string& spec, ConfigKind kind,
                                    const Referrer& referrer) const;

    /// How many config files load() has read and parsed so far.
    [[nodiscard]] std::size_t files_read() const { return m_files_read; }

private:
    std::vector<std::filesystem::path> m_search_path;
    /// Loaded files by canonical path and kind (loading is a pure function of the file).
    mutable std::map<std::pair<std::string, ConfigKind>, LoadedConfig> m_loaded;
    mutable std::size_t m_files_read = 0;
};

} // namespace mlosbench
