// Log sinks that mask secrets (PRODUCT "Secrets"): whatever logs a command line or an error
// quoting a secret's value, the console and the log file show "***".
#include "launch_flags.hpp"

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

} // namespace

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
