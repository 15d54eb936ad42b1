#include "mlosbench/services/local_exec_service.hpp"

#include "mlosbench/util/error.hpp"
#include "mlosbench/util/process.hpp"
#include "mlosbench/util/strings.hpp"
#include "mlosbench/util/tail_buffer.hpp"


#include <algorithm>
#include <cctype>
#include <string_view>
#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace mlosbench {
namespace {

// Characters that end an unquoted word for /bin/sh.
bool is_word_end(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0 || c == ';' || c == '&' || c == '|' ||
           c == '<' || c == '>' || c == '(' || c == ')';
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The first word of a line as the shell would see it after quote removal, with its span in
// the line. nullopt when the word must be left to the shell: empty, a comment, unbalanced
// quotes, an expansion (`$`, backquote, leading `~`) or a variable assignment.
struct FirstWord
{
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string text;
};

std::optional<FirstWord> first_word(std::string_view line)
{
    FirstWord word;
    std::size_t i = 0;
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])) != 0) {
        ++i;
    }
    word.begin = i;
    if (i < line.size() && (line[i] == '#' || line[i] == '~')) {
        return std::nullopt;
    }
    bool quoted = false;
    while (i < line.size() && !is_word_end(line[i])) {
        const char c = line[i];
        if (c == '$' || c == '`') {
            return std::nullopt;
        }
        if (c == '=' && !quoted && !word.text.empty() &&
            std::isdigit(static_cast<unsigned char>(word.text.front())) == 0 &&
            std::all_of(word.text.begin(), word.text.end(), is_name_char)) {
            return std::nullopt; // NAME=value cmd ...
        }
        if (c == '\\') {
            if (i + 1 >= line.size()) {
                return std::nullopt;
            }
            word.text += line[i + 1];
            quoted = true;
            i += 2;
        } else if (c == '\'') {
            const std::size_t close = line.find('\'', i + 1);
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            word.text.append(line.substr(i + 1, close - i - 1));
            quoted = true;
            i = close + 1;
        } else if (c == '"') {
            ++i;
            while (i < line.size() && line[i] != '"') {
                if (line[i] == '$' || line[i] == '`') {
                    return std::nullopt;
                }
                if (line[i] == '\\' && i + 1 < line.size() &&
                    std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos) {
                    ++i;
                }
                word.text += line[i];
                ++i;
            }
            if (i >= line.size()) {
                return std::nullopt;
            }
            quoted = true;
            ++i;
        } else {
            word.text += c;
            ++i;
        }
    }
    word.end = i;
    if (word.text.empty()) {
        return std::nullopt;
    }
    return word;
}

void make_directories(const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
        throw Error("cannot create directory '" + dir.string() +
                    "': " + (ec ? ec.message() : std::string("not a directory")));
    }
}

} // namespace

LocalExecService::LocalExecService(LocalExecSettings settings,
                                   std::vector<fs::path> search_path,
                                   CancelToken cancel)
    : m_settings(std::move(settings)), m_search_path(std::move(search_path)), m_cancel(cancel)
{
}

std::optional<fs::path> LocalExecService::find_script(const fs::path& name) const
{
    std::error_code ec;
    if (name.is_absolute()) {
        if (fs::is_regular_file(name, ec)) {
            return name;
        }
        return std::nullopt;
    }
    for (const auto& dir : m_search_path) {
        const fs::path candidate = dir / name;
        if (fs::is_regular_file(candidate, ec)) {
            return fs::absolute(candidate, ec).lexically_normal();
        }
    }
    return std::nullopt;
}

std::string LocalExecService::resolve_line(const std::string& line) const
{
    const auto word = first_word(line);
    if (!word) {
        return line;
    }
    const std::optional<fs::path> found = find_script(word->text);
    if (!found) {
        return line;
    }
    std::string replacement = shell_quote(found->string());
    if (found->extension() == ".py") {
        replacement = "python3 " + replacement;
    }
    return line.substr(0, word->begin) + replacement + line.substr(word->end);
}

std::optional<std::string> LocalExecService::missing_script(const std::string& line) const
{
    const auto word = first_word(line);
    if (!word) {
        return std::nullopt;
    }
    const std::string& w = word->text;
    const auto ends_with = [&](std::string_view suffix) {
        return w.size() > suffix.size() &&
               w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (w.find('/') == std::string::npos && !ends_with(".sh") && !ends_with(".py")) {
        return std::nullopt;
    }
    if (find_script(w)) {
        return std::nullopt;
    }
    return w;
}

ExecResult LocalExecService::execute(const std::vector<std::string>& lines,
                                     const ShellVariables& variables,
                                     const fs::path& cwd,
                                     std::optional<double> timeout,
                                     const ProcessScope* scope) const
{
    ExecRequest request;
    request.lines = lines;
    request.variables = variables;
    request.cwd = cwd;
    request.timeout = timeout;
    request.scope = scope;
    return execute(request);
}

ExecResult LocalExecService::execute(const ExecRequest& request) const
{
    ExecResult result;
    TailBuffer out(k_output_cap);
    TailBuffer err(k_output_cap);
    const std::vector<std::string> env = with_variables(current_environment(), request.variables);
    const std::optional<double> timeout = request.timeout ? request.timeout : m_settings.timeout;
    for (const auto& line : request.lines) {
        ProcessOptions options;
        options.command = resolve_line(line);
        options.cwd = request.cwd;
        options.env = env;
        options.timeout_seconds = timeout;
        options.output_cap = k_output_cap;
        options.cancel = m_cancel;
        options.scope = request.scope;
        const ProcessResult run = run_process(options);
        ++result.lines_run;
        result.line = line;
        result.exit_code = run.exit_code;
        result.timed_out = run.timed_out;
        result.canceled = run.canceled;
        out.append(run.out);
        err.append(run.err);
        if (run.timed_out || run.canceled) {
            break;
        }
        if (run.exit_code != 0 && m_settings.abort_on_error) {
            break;
        }
    }
    result.out = out.take();
    result.err = err.take();
    return result;
}

TempDirContext LocalExecService::temp_dir_context(const std::optional<fs::path>& dir,
                                                  bool keep) const
{
    if (dir || m_settings.temp_dir) {
        const fs::path path = fs::absolute(dir ? *dir : fs::path(*m_settings.temp_dir));
        make_directories(path);
        return TempDirContext(path);
    }
    return TempDirContext(TemporaryDirectory("mlosbench-", keep));
}

} // namespace mlosbench
