#pragma once

#include "mlosbench/config/schema_validator.hpp"
#include "mlosbench/util/json.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlosbench::detail {

/// The longest string a schema's `pattern` is matched against; a longer one does not match.
/// (No config value checked against a pattern is near it: names, paths, URLs, drivers.)
inline constexpr std::size_t k_max_pattern_chars = 16384;

/// The schema file of `kind`, relative to config/schemas/ ("environments/environment-schema.json").
[[nodiscard]] std::string_view schema_path(ConfigKind kind);

/// The embedded text of a schema file; throws std::logic_error when there is none.
[[nodiscard]] std::string_view schema_text(std::string_view path);

/// The schema file `path` made self-contained: every `$ref` into another schema file is
/// replaced by a `#/definitions/...` copy of its target, so one document holds all rules.
[[nodiscard]] Json bundle_schema(std::string_view path);

/// The bundled schema of `kind`, parsed once per process on first use (thread-safe).
[[nodiscard]] const Json& bundled_schema(ConfigKind kind);

/// The kind whose schema a `$schema` value names: a URL or path ending in
/// `schemas/<schema_path(kind)>` (ours and mlos_bench's use the same relative paths).
[[nodiscard]] std::optional<ConfigKind> schema_url_kind(std::string_view url);

/// One error as valijson reports it: where (a JSON pointer) and its own words.
struct RawSchemaError
{
    std::string pointer;
    std::string description;
};

/// Validates `doc` with valijson against the schema of `kind` (compiled once per process on
/// first use, thread-safe). True when valid; otherwise `errors` gets valijson's report.
[[nodiscard]] bool
valijson_validate(const Json& doc, ConfigKind kind, std::vector<RawSchemaError>& errors);

/// "/a/b~1c" from valijson's context ("<root>", "[a]", "[b/c]").
[[nodiscard]] std::string pointer_from_context(const std::vector<std::string>& context);


} // namespace mlosbench::detail
