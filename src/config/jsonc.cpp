#include "mlosbench/config/jsonc.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/file.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <unordered_map>
#include <vector>

namespace mlosbench {
namespace {

// 1-based line and column of byte `offset` of `text`, as "origin:LINE:COLUMN".
std::string position(std::string_view text, std::size_t offset, const std::string& origin)
{
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t k = 0; k < offset && k < text.size(); ++k) {
        if (text[k] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return origin + ":" + std::to_string(line) + ":" + std::to_string(column);
}

bool is_number_char(char c)
{
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '+' || c == '.' ||
           c == 'e' || c == 'E';
}

// Blanks out comments and trailing commas with spaces, keeping every other byte (newlines
// included) where it was, so that nlohmann's byte offsets still point into the user's text.
// In the same pass, refuses what nlohmann would accept but we cannot carry: nesting deeper
// than k_max_json_depth (the JSON copies, comparisons and schema checks recurse), a \u0000
// in a string (a parameter would be cut there), a number beyond the range of a double
// (nlohmann reports it without a position).
std::string strip_jsonc(std::string_view text, const std::string& origin)
{
    std::string out(text);
    std::size_t last_comma = std::string::npos; // a comma followed so far only by blanks
    std::size_t depth = 0;
    std::size_t i = 0;
    const std::size_t n = out.size();
    while (i < n) {
        const char c = out[i];
        if (c == '"') {
            last_comma = std::string::npos;
            ++i;
            while (i < n && out[i] != '"') {
                if (out[i] == '\\' && i + 5 < n && out[i + 1] == 'u' &&
                    out.compare(i + 2, 4, "0000") == 0) {
                    throw ConfigError(position(text, i, origin), "",
                                      "a string holds \\u0000 (NUL), which no value may contain");
                }
                i += out[i] == '\\' ? 2 : 1;
            }
            ++i;
            continue;
        }
        if (c == '[' || c == '{') {
            if (++depth > k_max_json_depth) {
                throw ConfigError(position(text, i, origin), "",
                                  "arrays and objects nested deeper than " +
                                      std::to_string(k_max_json_depth) + " levels");
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
            (c == '-' && i + 1 < n && std::isdigit(static_cast<unsigned char>(out[i + 1])) != 0)) {
            std::size_t end = i + 1;
            while (end < n && is_number_char(out[end])) {
                ++end;
            }
            const std::string number = out.substr(i, end - i);
            if (number.find_first_of(".eE") != std::string::npos) {
                errno = 0;
                const double value = std::strtod(number.c_str(), nullptr);
                if (errno == ERANGE && std::isinf(value)) {
                    throw ConfigError(position(text, i, origin), "",
                                      "number " + number +
                                          " is out of range (at most about 1.8e308 in size)");
                }
            }
            last_comma = std::string::npos;
            i = end;
            continue;
        }
        if (c == '/' && i + 1 < n && out[i + 1] == '/') {
            while (i < n && out[i] != '\n') {
                out[i++] = ' ';
            }
            continue;
        }
        if (c == '/' && i + 1 < n && out[i + 1] == '*') {
            const std::size_t start = i;
            const std::size_t end = out.find("*/", i + 2);
            if (end == std::string::npos) {
                throw ConfigError(position(text, start, origin), "",
                                  "syntax error: unterminated /* comment");
            }
            for (std::size_t k = start; k < end + 2; ++k) {
                if (out[k] != '\n') {
                    out[k] = ' ';
                }
            }
            i = end + 2;
            continue;
        }
        if (c == ',') {
            last_comma = i;
        } else if ((c == ']' || c == '}') && last_comma != std::string::npos) {
            out[last_comma] = ' ';
            last_comma = std::string::npos;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            last_comma = std::string::npos;
        }
        ++i;
    }
    return out;
}

// Builds the document as nlohmann's own DOM parser does, except for object keys: its
// ordered_map looks each key up linearly, which makes an object of n keys (a globals file of
// 40,000) cost n^2. Here each open object has a hash index of its keys; a repeated key
// replaces the earlier value in place (the last one wins, as with Json::parse).
// NOLINTNEXTLINE(bugprone-exception-escape): Json's destructor allocates (a stack of children)
class DocumentBuilder
{
public:
    Json& document() { return m_root; }

    bool null() { return add(nullptr) != nullptr; }
    bool boolean(bool value) { return add(value) != nullptr; }
    bool number_integer(Json::number_integer_t value) { return add(value) != nullptr; }
    bool number_unsigned(Json::number_unsigned_t value) { return add(value) != nullptr; }
    bool number_float(Json::number_float_t value, const Json::string_t& /*text*/)
    {
        return add(value) != nullptr;
    }
    bool string(Json::string_t& value) { return add(std::move(value)) != nullptr; }
    bool binary(Json::binary_t& value) { return add(Json::binary(std::move(value))) != nullptr; }
    bool start_object(std::size_t /*size*/)
    {
        m_stack.push_back(add(Json::object()));
        m_keys.emplace_back();
        return true;
    }
    bool key(Json::string_t& name)
    {
        auto& object = m_stack.back()->get_ref<Json::object_t&>();
        auto& entries = static_cast<Json::object_t::Container&>(object);
        auto& index = m_keys.back();
        const auto it = index.find(name);
        if (it != index.end()) {
            m_slot = &entries[it->second].second;
            return true;
        }
        index.emplace(name, entries.size());
        entries.emplace_back(std::move(name), nullptr);
        m_slot = &entries.back().second;
        return true;
    }
    bool end_object()
    {
        m_stack.pop_back();
        m_keys.pop_back();
        return true;
    }
    bool start_array(std::size_t /*size*/)
    {
        m_stack.push_back(add(Json::array()));
        return true;
    }
    bool end_array()
    {
        m_stack.pop_back();
        return true;
    }
    template <class Exception>
    bool parse_error(std::size_t /*position*/, const std::string& /*token*/, const Exception& e)
    {
        throw e; // NOLINT(cert-err60-cpp): nlohmann's exceptions are meant to be rethrown
    }

private:
    // Places `value` where the parse is (root, end of the open array, or the slot of the last
    // key) and returns it.
    template <class Value> Json* add(Value&& value)
    {
        if (m_stack.empty()) {
            m_root = Json(std::forward<Value>(value));
            return &m_root;
        }
        Json& top = *m_stack.back();
        if (top.is_array()) {
            auto& items = top.get_ref<Json::array_t&>();
            items.emplace_back(std::forward<Value>(value));
            return &items.back();
        }
        *m_slot = Json(std::forward<Value>(value));
        return m_slot;
    }

    Json m_root;
    std::vector<Json*> m_stack;
    std::vector<std::unordered_map<std::string, std::size_t>> m_keys; ///< one per open object
    Json* m_slot = nullptr;
};

std::string clean_parse_message(const std::string& what)
{
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while
    // parsing value - invalid literal; last read: 'x'" -> the part after "syntax error while ".
    const std::string marker = "syntax error while ";
    const auto pos = what.find(marker);
    if (pos != std::string::npos) {
        std::string message = "syntax error while " + what.substr(pos + marker.size());
        // "; last read: '...'" repeats the text with escapes; the position says it better.
        const auto last = message.find("; last read: '");
        if (last != std::string::npos) {
            const auto end = message.find("'; ", last + 14);
            message.erase(last, end == std::string::npos ? std::string::npos : end + 1 - last);
        }
        return message;
    }
    const auto colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

} // namespace

Json parse_jsonc(std::string_view text, const std::string& origin)
{
    const std::string cleaned = strip_jsonc(text, origin);
    try {
        DocumentBuilder builder;
        (void)Json::sax_parse(cleaned, &builder);
        return std::move(builder.document());
    } catch (const Json::parse_error& e) {
        // e.byte is 1-based and points just past the offending token: step back to its start.
        std::size_t offset = e.byte == 0 ? 0 : std::min(e.byte - 1, text.size());
        if (offset < text.size() && offset > 0 && text[offset] == '"') {
            std::size_t k = offset;
            while (k > 0 && !(cleaned[k - 1] == '"' && (k < 2 || cleaned[k - 2] != '\\'))) {
                --k;
            }
            offset = k > 0 ? k - 1 : 0;
        } else {
            while (offset > 0 && offset <= text.size() &&
                   (std::isalnum(static_cast<unsigned char>(text[offset - 1])) != 0 ||
                    text[offset - 1] == '_') &&
                   offset < text.size() &&
                   (std::isalnum(static_cast<unsigned char>(text[offset])) != 0 ||
                    text[offset] == '_')) {
                --offset;
            }
        }
        std::size_t line = 1;
        std::size_t column = 1;
        for (std::size_t k = 0; k < offset; ++k) {
            if (text[k] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        if (offset == text.size() && offset > 0 && column > 1) {
            --column;
        }
        throw ConfigError(origin + ":" + std::to_string(line) + ":" + std::to_string(column), "",
                          clean_parse_message(e.what()));
    } catch (const Json::exception& e) {
        throw ConfigError(origin, "", clean_parse_message(e.what()));
    }
}

Json load_jsonc_file(const std::string& path)
{
    std::string text;
    try {
        text = read_regular_file(path, k_max_config_bytes, "config file");
    } catch (const FileError& e) {
        throw ConfigError(path, "", "cannot read config file: " + e.reason());
    }
    return parse_jsonc(text, path);
}

} // namespace mlosbench
