#include "config/detail/schema_store.hpp"

#include "config/detail/embedded_schemas.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace mlosbench::detail {
namespace {

constexpr std::size_t k_kind_count = 9;

std::size_t kind_index(ConfigKind kind) { return static_cast<std::size_t>(kind); }

/// `ref` ("../cli/globals-schema.json") relative to the schema file `from`, as a path relative
/// to config/schemas/ ("cli/globals-schema.json").
std::string resolve_schema_ref(std::string_view from, std::string_view ref)
{
    const std::filesystem::path base = std::filesystem::path(from).parent_path();
    return (base / ref).lexically_normal().generic_string();
}

/// A definitions key for the copy of `target` ("cli/globals-schema.json#/definitions/x").
std::string imported_name(const std::string& target)
{
    std::string name = "imported_";
    for (char c : target) {
        const bool plain =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        name += plain ? c : '_';
    }
    return name;
}

class Bundler
{
public:
    explicit Bundler(std::string root_path) : m_root_path(std::move(root_path)) {}

    Json run()
    {
        Json root = document(m_root_path);
        rewrite(root, m_root_path);
        if (!m_imported.empty()) {
            Json& definitions = root["definitions"];
            for (auto& [name, definition] : m_imported) {
                if (definitions.contains(name)) {
                    throw std::logic_error("schema definition name clash: " + name);
                }
                definitions[name] = std::move(definition);
            }
        }
        return root;
    }

private:
    const Json& document(const std::string& path)
    {
        auto it = m_documents.find(path);
        if (it == m_documents.end()) {
            it = m_documents.emplace(path, Json::parse(schema_text(path))).first;
        }
        return it->second;
    }

    void rewrite(Json& node, const std::string& doc)
    {
        if (node.is_array()) {
            for (auto& item : node) {
                rewrite(item, doc);
            }
            return;
        }
        if (!node.is_object()) {
            return;
        }
        for (auto& [key, value] : node.items()) {
            if (key == "$ref" && value.is_string()) {
                value = local_ref(value.get<std::string>(), doc);
            } else {
                rewrite(value, doc);
            }
        }
    }

    /// The `$ref` to use in the bundle for `ref` found in schema file `doc`.
    std::string local_ref(const std::string& ref, const std::string& doc)
    {
        const auto hash = ref.find('#');
        const std::string file = ref.substr(0, hash);
        const std::string fragment = hash == std::string::npos ? "" : ref.substr(hash + 1);
        const std::string target = file.empty() ? doc : resolve_schema_ref(doc, file);
        if (target == m_root_path) {
            return "#" + fragment;
        }
        const std::string key = target + "#" + fragment;
        const std::string name = imported_name(key);
        if (!m_imported.contains(name)) {
            m_imported[name] = Json(); // placeholder: breaks cycles between files
            Json copy = document(target).at(Json::json_pointer(fragment));
            rewrite(copy, target);
            m_imported[name] = std::move(copy);
        }
        return "#/definitions/" + escape_pointer_token(name);
    }

    std::string m_root_path;
    std::map<std::string, Json> m_documents;
    std::map<std::string, Json> m_imported;
};

/// valijson matches `pattern` with std::regex, which recurses once per character: a string
/// of some 200,000 characters overflows the stack. So valijson's copy of the schema checks
/// each pattern only on strings of at most k_max_pattern_chars (longer ones fail), and the
/// explainer, whose regex has no recursion, says which value was too long.
void guard_patterns(nlohmann::json& node)
{
    if (node.is_array()) {
        for (auto& item : node) {
            guard_patterns(item);
        }
        return;
    }
    if (!node.is_object()) {
        return;
    }
    for (auto& [key, value] : node.items()) {
        guard_patterns(value);
    }
    const auto pattern = node.find("pattern");
    if (pattern == node.end() || !pattern->is_string()) {
        return;
    }
    nlohmann::json guarded = {
        {"if", {{"maxLength", k_max_pattern_chars}}},
        {"then", {{"pattern", *pattern}}},
        {"else", {{"not", nlohmann::json::object()}}},
    };
    node.erase(pattern);
    node["allOf"].push_back(std::move(guarded));
}

/// A kind's schema, ready for both validators.
struct CompiledSchema
{
    Json bundled;
    valijson::Schema schema;
};

const CompiledSchema& compiled_schema(ConfigKind kind)
{
    static std::array<std::once_flag, k_kind_count> once;
    static std::array<std::unique_ptr<CompiledSchema>, k_kind_count> compiled;
    const std::size_t i = kind_index(kind);
    std::call_once(once.at(i), [&] {
        auto result = std::make_unique<CompiledSchema>();
        result->bundled = bundle_schema(schema_path(kind));
        nlohmann::json plain(result->bundled);
        guard_patterns(plain);
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        const valijson::adapters::NlohmannJsonAdapter adapter(plain);
        parser.populateSchema(adapter, result->schema);
        compiled.at(i) = std::move(result);
    });
    return *compiled.at(i);
}

} // namespace

std::string_view schema_path(ConfigKind kind)
{
    static constexpr std::array<std::string_view, k_kind_count> k_paths = {
        "cli/cli-schema.json",
        "cli/globals-schema.json",
        "environments/environment-schema.json",
        "services/service-schema.json",
        "optimizers/optimizer-schema.json",
        "schedulers/scheduler-schema.json",
        "storage/storage-schema.json",
        "tunables/tunable-params-schema.json",
        "tunables/tunable-values-schema.json",
    };
    return k_paths.at(kind_index(kind));
}

std::string_view schema_text(std::string_view path)
{
    for (const auto& file : embedded_schema_files()) {
        if (file.path == path) {
            return file.text;
        }
    }
    throw std::logic_error("no embedded schema " + std::string(path));
}

std::optional<ConfigKind> schema_url_kind(std::string_view url)
{
    for (std::size_t i = 0; i < k_kind_count; ++i) {
        const auto kind = static_cast<ConfigKind>(i);
        const std::string suffix = "schemas/" + std::string(schema_path(kind));
        if (url == suffix ||
            (url.ends_with(suffix) && url[url.size() - suffix.size() - 1] == '/')) {
            return kind;
        }
    }
    return std::nullopt;
}

Json bundle_schema(std::string_view path) { return Bundler(std::string(path)).run(); }

const Json& bundled_schema(ConfigKind kind) { return compiled_schema(kind).bundled; }

bool valijson_validate(const Json& doc, ConfigKind kind, std::vector<RawSchemaError>& errors)
{
    const CompiledSchema& compiled = compiled_schema(kind);
    const nlohmann::json plain(doc);
    const valijson::adapters::NlohmannJsonAdapter target(plain);
    valijson::Validator validator;
    valijson::ValidationResults results;
    if (validator.validate(compiled.schema, target, &results)) {
        return true;
    }
    for (const auto& error : results) {
        errors.push_back({pointer_from_context(error.context), error.description});
    }
    return false;
}

std::string pointer_from_context(const std::vector<std::string>& context)
{
    std::string pointer;
    for (const auto& part : context) {
        if (part == "<root>") {
            continue;
        }
        // valijson wraps every key and index in brackets: "[key]", "[0]".
        std::string_view token = part;
        if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
            token = token.substr(1, token.size() - 2);
        }
        pointer += "/" + escape_pointer_token(token);
    }
    return pointer;
}

} // namespace mlosbench::detail
