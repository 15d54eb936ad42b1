#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlosbench {

/// Levenshtein distance between two strings.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a likely typo, else "".
[[nodiscard]] std::string closest_match(std::string_view word,
                                        const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" when there is a close candidate, else "".
[[nodiscard]] std::string did_you_mean(std::string_view word,
                                       const std::vector<std::string>& candidates);

[[nodiscard]] bool ends_with_icase(std::string_view text, std::string_view suffix);
[[nodiscard]] std::string to_lower(std::string_view text);
[[nodiscard]] std::string trim(std::string_view text);
[[nodiscard]] std::vector<std::string> split_lines(std::string_view text);

/// Single-quotes a string for /bin/sh so it arrives unchanged whatever it contains.
[[nodiscard]] std::string shell_quote(std::string_view text);

/// `text` in single quotes, as messages name things: 'name'.
[[nodiscard]] std::string in_quotes(std::string_view text);

/// `text` in double quotes with each `"` doubled: a CSV field (RFC 4180) or an SQL identifier.
[[nodiscard]] std::string double_quote(std::string_view text);

/// `text` safe to print as plain text on a terminal: control characters (C0 but tab, DEL,
/// and C1 encoded as UTF-8) become visible escapes (`\n`, `\r`, `\x1b`, `\u009b`), so that
/// no stored value can move the cursor, recolour or retitle the terminal. Other bytes as
/// they are.
[[nodiscard]] std::string escape_control(std::string_view text);

} // namespace mlosbench
