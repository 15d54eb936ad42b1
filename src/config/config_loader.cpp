#include "mlosbench/config/config_loader.hpp"

#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/paths.hpp"

#include <algorithm>

namespace fs = std::filesystem;

namespace mlosbench {

ConfigLoader::ConfigLoader(std::vector<fs::path> search_path)
    : m_search_path(std::move(search_path))
{
}

std::vector<fs::path> ConfigLoader::make_search_path(const std::vector<std::string>& entries)
{
    std::vector<fs::path> out;
    const auto add = [&](const fs::path& p) {
        std::error_code ec;
        fs::path normal = fs::weakly_canonical(fs::absolute(p, ec), ec);
        if (normal.empty()) {
            normal = fs::absolute(p);
        }
        if (std::find(out.begin(), out.end(), normal) == out.end()) {
            out.push_back(normal);
        }
    };
    add(fs::current_path());
    for (const auto& entry : entries) {
        add(expand_home(entry));
    }
    const fs::path builtin = builtin_config_dir();
    if (!builtin.empty()) {
        add(builtin);
    }
    return out;
}

std::optional<fs::path> ConfigLoader::find(const std::string& path, const Referrer& referrer) const
{
    const fs::path p = expand_home(path);
    std::error_code ec;
    if (p.is_absolute()) {
        if (fs::exists(p, ec)) {
            return p;
        }
        return std::nullopt;
    }
    if (!referrer.base_dir.empty()) {
        const fs::path candidate = referrer.base_dir / p;
        if (fs::exists(candidate, ec)) {
            return candidate.lexically_normal();
        }
    }
    for (const auto& dir : m_search_path) {
        const fs::path candidate = dir / p;
        if (fs::exists(candidate, ec)) {
            return candidate.lexically_normal();
        }
    }
    return std::nullopt;
}

fs::path ConfigLoader::require(const std::string& path, const Referrer& referrer) const
{
    if (auto found = find(path, referrer)) {
        return *found;
    }
    std::string places;
    const fs::path p = expand_home(path);
    if (!p.is_absolute()) {
        std::vector<fs::path> dirs;
        if (!referrer.base_dir.empty()) {
            dirs.push_back(referrer.base_dir);
        }
        for (const auto& dir : m_search_path) {
            if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
                dirs.push_back(dir);
            }
        }
        for (const auto& dir : dirs) {
            places += (places.empty() ? "" : ", ") + dir.string();
        }
        places = " (looked in: " + places + ")";
    }
    throw ConfigError(referrer.file, referrer.pointer, "cannot find '" + path + "'" + places);
}

LoadedConfig ConfigLoader::load(const std::string& spec, ConfigKind kind,
                                const Referrer& referrer) const
{
    LoadedConfig loaded;
    if (spec.find_first_of("{[") != std::string::npos) {
        const std::string where = referrer.file.empty() ? referrer.pointer
                                                        : referrer.file + " " + referrer.pointer;
        loaded.origin = "inline JSON of " + where;
        loaded.dir = referrer.base_dir.empty() ? fs::current_path() : referrer.base_dir;
        loaded.doc = parse_jsonc(spec, loaded.origin);
    } else {
        const fs::path path = require(spec, referrer);
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            throw ConfigError(referrer.file, referrer.pointer,
                              "'" + spec + "' is a directory, expected a " +
                                  std::string(kind_name(kind)) + " config file");
        }
        std::error_code canonical_ec;
        std::string identity = fs::weakly_canonical(path, canonical_ec).string();
        if (identity.empty()) {
            identity = fs::absolute(path).lexically_normal().string();
        }
        const auto key = std::make_pair(std::move(identity), kind);
        if (const auto it = m_loaded.find(key); it != m_loaded.end()) {
            return it->second;
        }
        loaded.origin = path.string();
        loaded.dir = path.parent_path();
        loaded.doc = load_jsonc_file(loaded.origin);
        ++m_files_read;
        check_config(loaded.doc, kind, loaded.origin);
        return m_loaded.emplace(key, std::move(loaded)).first->second;
    }
    check_config(loaded.doc, kind, loaded.origin);
    return loaded;
}

} // namespace mlosbench
