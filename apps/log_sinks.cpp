// Log sinks that wrap the console's and the log file's: one masks secrets (PRODUCT
// "Secrets": whatever logs a command line or an error quoting a secret's value shows "***"),
// one keeps what a trial printed from driving the terminal.
#include "launch_flags.hpp"

#include "mlosbench/util/strings.hpp"

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

namespace mlosbench::app {
namespace {

class MaskingSink final : public spdlog::sinks::sink
{
public:
    MaskingSink(spdlog::sink_ptr inner, SecretMask secrets)
        : m_inner(std::move(inner)), m_secrets(std::move(secrets))
    {
    }

    void log(const spdlog::details::log_msg& msg) override
    {
        const std::string masked =
            m_secrets.apply(std::string(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(masked.data(), masked.size());
        m_inner->log(copy);
    }
    void flush() override { m_inner->flush(); }
    void set_pattern(const std::string& pattern) override { m_inner->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override
    {
        m_inner->set_formatter(std::move(formatter));
    }

private:
    spdlog::sink_ptr m_inner;
    SecretMask m_secrets;
};

/// Escapes control characters in each line of a message (a warning quotes a script's stderr,
/// which may hold escape sequences); the lines themselves stay lines.
class ControlEscapingSink final : public spdlog::sinks::sink
{
public:
    explicit ControlEscapingSink(spdlog::sink_ptr inner) : m_inner(std::move(inner)) {}

    void log(const spdlog::details::log_msg& msg) override
    {
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        std::string escaped;
        std::size_t start = 0;
        while (true) {
            const std::size_t end = payload.find('\n', start);
            escaped += escape_control(payload.substr(start, end - start));
            if (end == std::string_view::npos) {
                break;
            }
            escaped += '\n';
            start = end + 1;
        }
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
        m_inner->log(copy);
    }
    void flush() override { m_inner->flush(); }
    void set_pattern(const std::string& pattern) override { m_inner->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override
    {
        m_inner->set_formatter(std::move(formatter));
    }

private:
    spdlog::sink_ptr m_inner;
};

} // namespace

spdlog::sink_ptr escape_control_in_logs(spdlog::sink_ptr sink)
{
    return std::make_shared<ControlEscapingSink>(std::move(sink));
}

void mask_secrets_in_logs(const SecretMask& secrets)
{
    if (secrets.empty()) {
        return;
    }
    for (auto& sink : spdlog::default_logger()->sinks()) {
        sink = std::make_shared<MaskingSink>(sink, secrets);
    }
}

} // namespace mlosbench::app
