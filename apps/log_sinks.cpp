// Log sinks that wrap the console's and the log file's: one masks secrets (whatever logs a
// command line or an error quoting a secret's value shows "***"),
// one keeps what a trial printed from driving the terminal.
#include "launch_flags.hpp"
#include "mlosbench/util/strings.hpp"

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace mlosbench::app {
namespace {

/// A sink that passes each message to `inner` with its text rewritten by rewrite().
class RewritingSink : public spdlog::sinks::sink
{
public:
    explicit RewritingSink(spdlog::sink_ptr inner) : m_inner(std::move(inner)) {}

    void log(const spdlog::details::log_msg& msg) override
    {
        const std::string text = rewrite(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(text.data(), text.size());
        m_inner->log(copy);
    }
    void flush() override { m_inner->flush(); }
    void set_pattern(const std::string& pattern) override { m_inner->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override
    {
        m_inner->set_formatter(std::move(formatter));
    }

protected:
    [[nodiscard]] virtual std::string rewrite(std::string_view text) const = 0;

private:
    spdlog::sink_ptr m_inner;
};

class MaskingSink final : public RewritingSink
{
public:
    MaskingSink(spdlog::sink_ptr inner, SecretMask secrets)
        : RewritingSink(std::move(inner)), m_secrets(std::move(secrets))
    {
    }

private:
    [[nodiscard]] std::string rewrite(std::string_view text) const override
    {
        return m_secrets.apply(std::string(text));
    }

    SecretMask m_secrets;
};

/// Escapes control characters in each line of a message (a warning quotes a script's stderr,
/// which may hold escape sequences); the lines themselves stay lines.
class ControlEscapingSink final : public RewritingSink
{
public:
    using RewritingSink::RewritingSink;

private:
    [[nodiscard]] std::string rewrite(std::string_view text) const override
    {
        std::string escaped;
        std::size_t start = 0;
        while (true) {
            const std::size_t end = text.find('\n', start);
            escaped += escape_control(text.substr(start, end - start));
            if (end == std::string_view::npos) {
                return escaped;
            }
            escaped += '\n';
            start = end + 1;
        }
    }
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
