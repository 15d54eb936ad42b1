#include "config/detail/schema_explainer.hpp"

#include "config/detail/schema_store.hpp"
#include "mlosbench/config/class_names.hpp"
#include "mlosbench/util/regex.hpp"
#include "mlosbench/util/strings.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace mlosbench::detail {
namespace {

constexpr std::size_t k_max_problems = 25;
constexpr std::size_t k_max_listed_values = 12;
constexpr std::size_t k_max_value_text = 60;
constexpr int k_max_ref_depth = 64;
constexpr std::string_view k_not_supported = " is not supported by mlosbench";

/// Where a value is checked: its pointer and, while checking a key against `propertyNames`,
/// the key (problems then speak of the key and point at its object).
struct Place
{
    std::string pointer;
    std::optional<std::string> key;
};

/// `text` cut to k_max_value_text characters ("...").
std::string shortened(std::string text)
{
    if (text.size() > k_max_value_text) {
        text = text.substr(0, k_max_value_text - 3) + "...";
    }
    return text;
}

std::string value_text(const Json& value) { return shortened(value.dump()); }

/// A schema's `pattern` (ECMA-262, where `^` and `$` match only at the ends of the text) in
/// the syntax of mlosbench::Regex, where they match at line ends: `\A` and `\Z` instead.
std::string text_anchored(const std::string& pattern)
{
    std::string out;
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            out += pattern.substr(i, 2);
            ++i;
        } else if (in_class) {
            in_class = c != ']' || out.back() == '[' || out.ends_with("[^");
            out += c;
        } else if (c == '[') {
            in_class = true;
            out += c;
        } else if (c == '^') {
            out += "\\A";
        } else if (c == '$') {
            out += "\\Z";
        } else {
            out += c;
        }
    }
    return out;
}

/// "a", "a or b", "a, b or c".
std::string join_or(const std::vector<std::string>& words)
{
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) {
            out += i + 1 == words.size() ? " or " : ", ";
        }
        out += words[i];
    }
    return out;
}

std::string quoted_list(const std::vector<std::string>& words)
{
    std::string out;
    for (const auto& word : words) {
        out += (out.empty() ? "'" : ", '") + word + "'";
    }
    return out;
}

std::string plural(std::size_t n, const std::string& word)
{
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

bool has_type(const Json& value, std::string_view type)
{
    if (type == "string") {
        return value.is_string();
    }
    if (type == "integer") {
        return value.is_number_integer();
    }
    if (type == "number") {
        return value.is_number();
    }
    if (type == "boolean") {
        return value.is_boolean();
    }
    if (type == "null") {
        return value.is_null();
    }
    if (type == "array") {
        return value.is_array();
    }
    if (type == "object") {
        return value.is_object();
    }
    return false;
}

/// JSON equality as JSON Schema means it (object key order does not matter).
bool json_equal(const Json& a, const Json& b) { return nlohmann::json(a) == nlohmann::json(b); }

std::string last_token(const std::string& pointer)
{
    const auto slash = pointer.rfind('/');
    return slash == std::string::npos ? pointer : pointer.substr(slash + 1);
}

/// "cli, globals, ..., tunable-values": every kind, in the order of ConfigKind.
std::string known_kinds()
{
    std::string out;
    for (int i = 0; i <= static_cast<int>(ConfigKind::tunable_values); ++i) {
        out += (out.empty() ? "" : ", ") + std::string(kind_name(static_cast<ConfigKind>(i)));
    }
    return out;
}

/// "a service", "an environment".
std::string with_article(std::string_view word)
{
    const bool vowel =
        !word.empty() && std::string_view("aeiou").find(word[0]) != std::string_view::npos;
    return (vowel ? "an " : "a ") + std::string(word);
}

/// A count keyword (minItems, maxProperties...) of `schema`, when it has a usable one.
std::optional<std::size_t> count_keyword(const Json& schema, const char* keyword)
{
    const auto it = schema.find(keyword);
    if (it == schema.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0) {
        return std::nullopt;
    }
    return it->get<std::size_t>();
}

bool has_classes(ConfigKind kind) { return !short_class_names(kind).empty(); }

class Explainer
{
public:
    Explainer(const Json& root, ConfigKind kind) : m_root(root), m_kind(kind) {}

    void check(const Json& value,
               const Json& schema,
               const Place& at,
               std::vector<SchemaProblem>& out,
               int ref_depth = 0)
    {
        if (schema.is_boolean()) {
            if (!schema.get<bool>()) {
                add(out, at,
                    at.key ? "key '" + *at.key + "' is not allowed here"
                           : "value is not allowed here");
            }
            return;
        }
        if (!schema.is_object()) {
            return;
        }
        if (const auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
            // draft-07: a $ref replaces its siblings.
            if (ref_depth < k_max_ref_depth) {
                check(value, resolve(ref->get<std::string>()), at, out, ref_depth + 1);
            }
            return;
        }
        if (!check_type(value, schema, at, out)) {
            return; // nothing else at this place means much when the type is wrong
        }
        check_enum_const(value, schema, at, out);
        if (value.is_string()) {
            check_string(value, schema, at, out);
        } else if (value.is_number()) {
            check_number(value, schema, at, out);
        } else if (value.is_array()) {
            check_array(value, schema, at, out);
        } else if (value.is_object()) {
            check_object(value, schema, at, out);
        }
        check_combinators(value, schema, at, out);
    }

private:
    [[nodiscard]] bool matches(const Json& value, const Json& schema, const Place& at)
    {
        std::vector<SchemaProblem> scratch;
        check(value, schema, at, scratch);
        return scratch.empty();
    }

    const Json& resolve(const std::string& ref) const
    {
        static const Json k_anything = Json::object();
        if (ref.empty() || ref[0] != '#') {
            return k_anything;
        }
        const Json::json_pointer pointer(ref.substr(1));
        return m_root.contains(pointer) ? m_root.at(pointer) : k_anything;
    }

    /// Whether `pattern` matches somewhere in `text` (as valijson's regex_search); a text
    /// longer than k_max_pattern_chars never matches (see guard_patterns in schema_store).
    bool matches(const std::string& pattern, std::string_view text)
    {
        if (text.size() > k_max_pattern_chars) {
            return false;
        }
        auto it = m_regexes.find(pattern);
        if (it == m_regexes.end()) {
            it = m_regexes.emplace(pattern, Regex(text_anchored(pattern))).first;
        }
        return !it->second.find_all(text).matches.empty();
    }

    static void add(std::vector<SchemaProblem>& out, const Place& at, std::string message)
    {
        out.push_back({at.pointer, std::move(message)});
    }

    bool check_type(const Json& value,
                    const Json& schema,
                    const Place& at,
                    std::vector<SchemaProblem>& out)
    {
        const auto type = schema.find("type");
        if (type == schema.end()) {
            return true;
        }
        std::vector<std::string> expected;
        if (type->is_string()) {
            expected.push_back(type->get<std::string>());
        } else if (type->is_array()) {
            for (const auto& t : *type) {
                if (t.is_string()) {
                    expected.push_back(t.get<std::string>());
                }
            }
        }
        if (std::any_of(expected.begin(), expected.end(),
                        [&](const std::string& t) { return has_type(value, t); })) {
            return true;
        }
        // Any number is "number" here: an integer only fails where no number would do.
        add(out, at,
            "expected " + join_or(expected) + ", got " +
                (value.is_number() ? std::string("number") : json_type_name(value)));
        return false;
    }

    void check_enum_const(const Json& value,
                          const Json& schema,
                          const Place& at,
                          std::vector<SchemaProblem>& out)
    {
        if (const auto values = schema.find("enum"); values != schema.end() && values->is_array()) {
            const bool found = std::any_of(values->begin(), values->end(),
                                           [&](const Json& v) { return json_equal(v, value); });
            if (!found) {
                add(out, at, enum_message(value, *values, at));
            }
        }
        if (const auto expected = schema.find("const"); expected != schema.end()) {
            if (!json_equal(*expected, value)) {
                add(out, at,
                    at.key ? "invalid key '" + *at.key + "'"
                           : "expected " + value_text(*expected) + ", got " + value_text(value));
            }
        }
    }

    std::string enum_message(const Json& value, const Json& values, const Place& at) const
    {
        std::vector<std::string> words;
        for (const auto& v : values) {
            if (v.is_string()) {
                words.push_back(v.get<std::string>());
            }
        }
        if (at.key) {
            return "unknown key '" + *at.key + "'" + did_you_mean(*at.key, words);
        }
        if (auto special = class_message(value, at)) {
            return *special;
        }
        std::string listed;
        std::size_t n = 0;
        for (const auto& v : values) {
            if (n == k_max_listed_values) {
                listed += ", ...";
                break;
            }
            listed += (n++ == 0 ? "" : ", ") + v.dump();
        }
        std::string message = "value " + value_text(value) + " is not one of " + listed;
        if (value.is_string()) {
            message += did_you_mean(value.get<std::string>(), words);
        }
        return message;
    }

    /// What is wrong with a `class` value that is not in the schema's list.
    std::optional<std::string> class_message(const Json& value, const Place& at) const
    {
        if (!value.is_string() || last_token(at.pointer) != "class" || !has_classes(m_kind)) {
            return std::nullopt;
        }
        const std::string cls = value.get<std::string>();
        const std::string kind(kind_name(m_kind));
        if (is_unsupported_class(m_kind, cls)) {
            return "class '" + cls + "'" + std::string(k_not_supported);
        }
        if (const auto other = class_kind(cls); other && *other != m_kind) {
            return "class '" + cls + "' is " + with_article(kind_name(*other)) + " class, not " +
                   with_article(kind) + " class";
        }
        const std::vector<std::string> names = short_class_names(m_kind);
        return "unknown " + kind + " class '" + cls + "'" +
               did_you_mean(cls, all_class_names(m_kind)) + "; expected " + join_or(names) +
               " (or mlos_bench's module path of one)";
    }

    void check_string(const Json& value,
                      const Json& schema,
                      const Place& at,
                      std::vector<SchemaProblem>& out)
    {
        const std::string text = value.get<std::string>();
        if (const auto pattern = schema.find("pattern");
            pattern != schema.end() && pattern->is_string()) {
            if (text.size() > k_max_pattern_chars) {
                add(out, at,
                    std::string(at.key ? "a key" : "a value") + " of " +
                        std::to_string(text.size()) + " characters, where at most " +
                        std::to_string(k_max_pattern_chars) + " are expected");
            } else if (!matches(pattern->get<std::string>(), text)) {
                add(out, at, pattern_message(text, schema, at));
            }
        }
        if (const auto min = count_keyword(schema, "minLength"); min && text.size() < *min) {
            add(out, at,
                "expected at least " + plural(*min, "character") + ", got " +
                    std::to_string(text.size()));
        }
        if (const auto max = count_keyword(schema, "maxLength"); max && text.size() > *max) {
            add(out, at,
                "expected at most " + plural(*max, "character") + ", got " +
                    std::to_string(text.size()));
        }
    }

    std::string pattern_message(const std::string& text, const Json& schema, const Place& at) const
    {
        const std::string pattern = schema.at("pattern").get<std::string>();
        const std::string custom = schema.value("patternErrorMessage", "");
        if (at.key) {
            return "invalid key '" + shortened(*at.key) + "': " +
                   (custom.empty() ? "expected a match for the pattern '" + pattern + "'" : custom);
        }
        if (at.pointer == "/$schema") {
            return schema_url_message(text);
        }
        if (m_kind == ConfigKind::storage && last_token(at.pointer) == "drivername" &&
            !is_supported_storage_driver(text)) {
            return "storage driver '" + text +
                   "' is not supported by mlosbench (expected sqlite or postgresql)";
        }
        return "invalid value " + value_text(Json(text)) + ": " +
               (custom.empty() ? "expected a match for the pattern '" + pattern + "'" : custom);
    }

    std::string schema_url_message(const std::string& url) const
    {
        const std::string own = "schemas/" + std::string(schema_path(m_kind));
        if (const auto other = schema_url_kind(url)) {
            return "$schema is the " + std::string(kind_name(*other)) +
                   " schema, but this file is read as kind " + std::string(kind_name(m_kind)) +
                   ", whose $schema ends in " + own + " (kinds: " + known_kinds() + ")";
        }
        return "$schema " + value_text(Json(url)) +
               " is not an mlosbench or mlos_bench schema; for kind " +
               std::string(kind_name(m_kind)) + " it ends in " + own;
    }

    void check_number(const Json& value,
                      const Json& schema,
                      const Place& at,
                      std::vector<SchemaProblem>& out)
    {
        const double v = value.get<double>();
        const auto bound = [&](const char* keyword, auto fails, const char* op) {
            const auto limit = schema.find(keyword);
            if (limit != schema.end() && limit->is_number() && fails(v, limit->get<double>())) {
                add(out, at,
                    std::string("expected a value ") + op + " " + limit->dump() + ", got " +
                        value.dump());
            }
        };
        bound(
            "minimum", [](double a, double b) { return a < b; }, ">=");
        bound(
            "exclusiveMinimum", [](double a, double b) { return a <= b; }, ">");
        bound(
            "maximum", [](double a, double b) { return a > b; }, "<=");
        bound(
            "exclusiveMaximum", [](double a, double b) { return a >= b; }, "<");
    }

    void check_array(const Json& value,
                     const Json& schema,
                     const Place& at,
                     std::vector<SchemaProblem>& out)
    {
        const std::size_t size = value.size();
        if (const auto min = count_keyword(schema, "minItems"); min && size < *min) {
            add(out, at,
                "expected at least " + plural(*min, "item") + ", got " + std::to_string(size));
        }
        if (const auto max = count_keyword(schema, "maxItems"); max && size > *max) {
            add(out, at,
                "expected at most " + plural(*max, "item") + ", got " + std::to_string(size));
        }
        if (schema.value("uniqueItems", false)) {
            check_unique(value, at, out);
        }
        if (const auto items = schema.find("items"); items != schema.end()) {
            for (std::size_t i = 0; i < size; ++i) {
                const Json* item_schema = &*items;
                if (items->is_array()) {
                    if (i >= items->size()) {
                        break;
                    }
                    item_schema = &(*items)[i];
                }
                check(value[i], *item_schema, {at.pointer + "/" + std::to_string(i), {}}, out);
            }
        }
    }

    static void check_unique(const Json& value, const Place& at, std::vector<SchemaProblem>& out)
    {
        for (std::size_t j = 1; j < value.size(); ++j) {
            for (std::size_t i = 0; i < j; ++i) {
                if (json_equal(value[i], value[j])) {
                    add(out, at,
                        "items " + std::to_string(i) + " and " + std::to_string(j) +
                            " are equal (" + value_text(value[j]) + "); expected unique items");
                    return;
                }
            }
        }
    }

    void check_object(const Json& value,
                      const Json& schema,
                      const Place& at,
                      std::vector<SchemaProblem>& out)
    {
        if (const auto required = schema.find("required");
            required != schema.end() && required->is_array()) {
            for (const auto& key : *required) {
                if (key.is_string() && !value.contains(key.get<std::string>())) {
                    add(out, at, "missing required key '" + key.get<std::string>() + "'");
                }
            }
        }
        check_dependencies(value, schema, at, out);

        const auto properties = schema.find("properties");
        const auto patterns = schema.find("patternProperties");
        const auto additional = schema.find("additionalProperties");
        const auto names = schema.find("propertyNames");
        for (const auto& [key, member] : value.items()) {
            const Place member_at{at.pointer + "/" + escape_pointer_token(key), {}};
            if (names != schema.end()) {
                std::vector<SchemaProblem> key_problems;
                check(Json(key), *names, {at.pointer, key}, key_problems);
                if (!key_problems.empty()) {
                    out.insert(out.end(), key_problems.begin(), key_problems.end());
                    continue; // the value of a bad key is not worth a second message
                }
            }
            bool matched = false;
            if (properties != schema.end() && properties->is_object()) {
                if (const auto property = properties->find(key); property != properties->end()) {
                    matched = true;
                    check(member, *property, member_at, out);
                }
            }
            if (patterns != schema.end() && patterns->is_object()) {
                for (const auto& [pattern, pattern_schema] : patterns->items()) {
                    if (matches(pattern, key)) {
                        matched = true;
                        check(member, pattern_schema, member_at, out);
                    }
                }
            }
            if (matched || additional == schema.end()) {
                continue;
            }
            if (additional->is_boolean() && !additional->get<bool>()) {
                add(out, at, "unknown key '" + key + "'" + did_you_mean(key, allowed_keys(schema)));
            } else {
                check(member, *additional, member_at, out);
            }
        }

        const std::size_t size = value.size();
        // An empty object whose schema names the keys it needs gets those messages instead.
        const bool names_needed_keys =
            size == 0 && (schema.contains("anyOf") || schema.value("required", Json()).size() > 0);
        if (const auto min = count_keyword(schema, "minProperties");
            min && size < *min && !names_needed_keys) {
            add(out, at,
                *min == 1
                    ? std::string("expected a non-empty object")
                    : "expected at least " + plural(*min, "key") + ", got " + std::to_string(size));
        }
        if (const auto max = count_keyword(schema, "maxProperties"); max && size > *max) {
            add(out, at,
                *max == 0
                    ? std::string("expected an empty object")
                    : "expected at most " + plural(*max, "key") + ", got " + std::to_string(size));
        }
    }

    static std::vector<std::string> allowed_keys(const Json& schema)
    {
        std::vector<std::string> keys;
        if (const auto properties = schema.find("properties");
            properties != schema.end() && properties->is_object()) {
            for (const auto& [key, unused] : properties->items()) {
                keys.push_back(key);
            }
        }
        return keys;
    }

    void check_dependencies(const Json& value,
                            const Json& schema,
                            const Place& at,
                            std::vector<SchemaProblem>& out)
    {
        const auto dependencies = schema.find("dependencies");
        if (dependencies == schema.end() || !dependencies->is_object()) {
            return;
        }
        for (const auto& [key, needs] : dependencies->items()) {
            if (!value.contains(key)) {
                continue;
            }
            if (needs.is_array()) {
                for (const auto& need : needs) {
                    if (need.is_string() && !value.contains(need.get<std::string>())) {
                        add(out, at,
                            "missing key '" + need.get<std::string>() + "' (required with '" + key +
                                "')");
                    }
                }
            } else {
                check(value, needs, at, out);
            }
        }
    }

    void check_combinators(const Json& value,
                           const Json& schema,
                           const Place& at,
                           std::vector<SchemaProblem>& out)
    {
        if (const auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
            for (const auto& sub : *all) {
                check(value, sub, at, out);
            }
        }
        if (const auto any = schema.find("anyOf"); any != schema.end() && any->is_array()) {
            check_alternatives(value, *any, schema, at, out, false);
        }
        if (const auto one = schema.find("oneOf"); one != schema.end() && one->is_array()) {
            check_alternatives(value, *one, schema, at, out, true);
        }
        if (const auto negated = schema.find("not"); negated != schema.end()) {
            if (matches(value, *negated, at)) {
                const std::string custom = schema.value("errorMessage", "");
                if (at.key) {
                    add(out, at,
                        "invalid key '" + *at.key + "'" +
                            (custom.empty() ? std::string(": not allowed here") : ": " + custom));
                } else {
                    add(out, at,
                        custom.empty() ? std::string("value is not allowed here") : custom);
                }
            }
        }
        if (const auto condition = schema.find("if"); condition != schema.end()) {
            const char* branch = matches(value, *condition, at) ? "then" : "else";
            if (const auto sub = schema.find(branch); sub != schema.end()) {
                check(value, *sub, at, out);
            }
        }
    }

    void check_alternatives(const Json& value,
                            const Json& alternatives,
                            const Json& schema,
                            const Place& at,
                            std::vector<SchemaProblem>& out,
                            bool exactly_one)
    {
        std::vector<std::vector<SchemaProblem>> results;
        std::size_t passed = 0;
        for (const auto& sub : alternatives) {
            results.emplace_back();
            check(value, sub, at, results.back());
            passed += results.back().empty() ? 1 : 0;
        }
        const std::string custom = schema.value("errorMessage", "");
        if (passed == 1 || (passed > 1 && !exactly_one)) {
            return;
        }
        if (passed > 1) {
            add(out, at,
                custom.empty() ? std::string("matches more than one allowed form") : custom);
            return;
        }
        if (!custom.empty()) {
            add(out, at, custom);
            return;
        }
        // {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}: "at least one of a, b".
        std::vector<std::string> keys;
        for (const auto& sub : alternatives) {
            const auto required = sub.find("required");
            if (!sub.is_object() || sub.size() != 1 || required == sub.end() ||
                required->size() != 1 || !required->at(0).is_string()) {
                keys.clear();
                break;
            }
            keys.push_back(required->at(0).get<std::string>());
        }
        if (!keys.empty()) {
            add(out, at, "expected at least one of the keys " + quoted_list(keys));
            return;
        }
        // Otherwise the alternative that got furthest: its problems lie deepest.
        const auto depth = [](const std::vector<SchemaProblem>& problems) {
            std::size_t deepest = 0;
            for (const auto& p : problems) {
                deepest = std::max<std::size_t>(
                    deepest,
                    static_cast<std::size_t>(std::count(p.pointer.begin(), p.pointer.end(), '/')));
            }
            return deepest;
        };
        const auto best =
            std::max_element(results.begin(), results.end(), [&](const auto& a, const auto& b) {
                if (depth(a) != depth(b)) {
                    return depth(a) < depth(b);
                }
                return a.size() > b.size();
            });
        out.insert(out.end(), best->begin(), best->end());
    }

    const Json& m_root;
    ConfigKind m_kind;
    std::map<std::string, Regex> m_regexes;
};

/// Pre-order position of every pointer in `doc`, to sort problems in document order.
void index_pointers(const Json& value,
                    const std::string& pointer,
                    std::map<std::string, std::size_t>& order)
{
    order.emplace(pointer, order.size());
    if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            index_pointers(member, pointer + "/" + escape_pointer_token(key), order);
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            index_pointers(value[i], pointer + "/" + std::to_string(i), order);
        }
    }
}

} // namespace

std::vector<SchemaProblem>
explain_schema_problems(const Json& doc, const Json& schema, ConfigKind kind)
{
    Explainer explainer(schema, kind);
    std::vector<SchemaProblem> found;
    explainer.check(doc, schema, {"", {}}, found);

    // A class mlosbench does not provide says it all about its object: the rest of what is
    // wrong there would not help anyone.
    std::vector<std::string> unsupported_objects;
    for (const auto& problem : found) {
        if (problem.message.ends_with(k_not_supported) && problem.pointer.ends_with("/class")) {
            unsupported_objects.push_back(
                problem.pointer.substr(0, problem.pointer.size() - std::strlen("/class")));
        }
    }
    const auto overshadowed = [&](const SchemaProblem& problem) {
        if (problem.message.ends_with(k_not_supported)) {
            return false;
        }
        return std::any_of(
            unsupported_objects.begin(), unsupported_objects.end(), [&](const std::string& object) {
                return problem.pointer == object || problem.pointer.starts_with(object + "/");
            });
    };

    std::vector<SchemaProblem> problems;
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& problem : found) {
        if (!overshadowed(problem) && seen.emplace(problem.pointer, problem.message).second) {
            problems.push_back(std::move(problem));
        }
    }
    std::map<std::string, std::size_t> order;
    index_pointers(doc, "", order);
    std::stable_sort(problems.begin(), problems.end(), [&](const auto& a, const auto& b) {
        return order[a.pointer] < order[b.pointer];
    });
    if (problems.size() > k_max_problems) {
        const std::size_t more = problems.size() - k_max_problems;
        problems.resize(k_max_problems);
        problems.push_back({"", "... and " + plural(more, "more problem")});
    }
    return problems;
}

} // namespace mlosbench::detail
