#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace mlosbench {

/// A problem the user can fix (bad input, missing file, unreachable host...).
/// apps/main.cpp prints `mlosbench: error: <what()>` and exits 1.
class Error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A bad config or bad usage: exit code 2.
/// `file` may be empty (command-line input); `pointer` is a JSON pointer ("" = whole document).
/// what() reads `file: /pointer: message`, leaving out the parts that are empty.
class ConfigError : public Error
{
public:
    ConfigError(std::string file, std::string pointer, std::string message);
    explicit ConfigError(std::string message) : ConfigError({}, {}, std::move(message)) {}

    [[nodiscard]] const std::string& file() const { return m_file; }
    [[nodiscard]] const std::string& pointer() const { return m_pointer; }
    [[nodiscard]] const std::string& message() const { return m_message; }

private:
    std::string m_file;
    std::string m_pointer;
    std::string m_message;
};

/// Several config errors found in one pass (all reported, exit 2).
class ConfigErrors : public ConfigError
{
public:
    explicit ConfigErrors(std::vector<ConfigError> errors);
    [[nodiscard]] const std::vector<ConfigError>& errors() const { return m_errors; }

private:
    std::vector<ConfigError> m_errors;
};

} // namespace mlosbench
