#pragma once

#include "mlosbench/util/json.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace mlosbench {

/// Deepest nesting of arrays and objects a config may have (mlos_bench's own configs stay
/// under 10): deeper documents are refused before anything walks them recursively.
inline constexpr std::size_t k_max_json_depth = 256;

/// Largest config file read (a globals file of 40,000 keys is about 1 MiB).
inline constexpr std::size_t k_max_config_bytes = std::size_t{64} << 20;

/// Parses JSONC: JSON plus `//` and `/* */` comments and trailing commas in arrays and objects.
/// Anything else beyond JSON (unquoted keys, single quotes...) is a syntax error, and so are
/// nesting deeper than k_max_json_depth, `\u0000` in a string and a number out of the range
/// of a double (1e400).
/// Throws ConfigError whose file part is `origin:LINE:COLUMN` (1-based) on a syntax error;
/// `origin` names the file, or says where inline JSON came from.
[[nodiscard]] Json parse_jsonc(std::string_view text, const std::string& origin);

/// Reads and parses a JSONC file: a regular file (or a symlink to one) of at most
/// k_max_config_bytes, so that a FIFO or a device never blocks or fills memory. Throws
/// ConfigError when it cannot be read or parsed.
[[nodiscard]] Json load_jsonc_file(const std::string& path);

} // namespace mlosbench
