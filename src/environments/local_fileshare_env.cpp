#include "mlosbench/environments/local_fileshare_env.hpp"

#include "environments/detail/script_support.hpp"
#include "mlosbench/util/paths.hpp"

#include <spdlog/spdlog.h>

namespace fs = std::filesystem;

namespace mlosbench {

LocalFileShareEnv::LocalFileShareEnv(const EnvironmentSpec& spec,
                                     const RunnerContext& runner,
                                     std::unique_ptr<FileShareService> share)
    : LocalEnv(spec, runner, std::get<FileShareEnvSettings>(spec.settings).local),
      m_share_settings(std::get<FileShareEnvSettings>(spec.settings)), m_share(std::move(share))
{
}

std::string LocalFileShareEnv::expand(const std::string& text) const
{
    return expand_home(detail::expand_with_params(text, m_parameters, temp_dir()));
}

PhaseResult LocalFileShareEnv::do_setup()
{
    PhaseResult result = LocalEnv::do_setup();
    if (result.status != Status::ready) {
        return result;
    }
    m_share->use_parameters(m_parameters);
    for (const auto& transfer : m_share_settings.upload) {
        const std::string from = expand(transfer.from);
        // A local source is looked for in the temp dir first, then the search path.
        const fs::path local = find_local(from).value_or(*temp_dir() / from);
        const TransferResult upload = m_share->upload(local, expand(transfer.to));
        if (!upload.ok()) {
            PhaseResult out = detail::make_result(Status::failed, upload.message);
            out.stdout_tail = std::move(result.stdout_tail);
            out.stderr_tail = std::move(result.stderr_tail);
            return out;
        }
    }
    return result;
}

std::string LocalFileShareEnv::download_all(bool missing_ok)
{
    const auto dir = temp_dir();
    if (!dir) {
        return {};
    }
    for (const auto& transfer : m_share_settings.download) {
        const fs::path to(expand(transfer.to));
        const TransferResult download =
            m_share->download(expand(transfer.from), to.is_absolute() ? to : *dir / to);
        if (download.ok()) {
            continue;
        }
        if (download.code == TransferResult::Code::not_found && missing_ok) {
            spdlog::debug("environment '{}': {}", name(), download.message);
            continue;
        }
        return download.message;
    }
    return {};
}

PhaseResult LocalFileShareEnv::do_run()
{
    if (std::string error = download_all(false); !error.empty()) {
        return detail::make_result(Status::failed, std::move(error));
    }
    return LocalEnv::do_run();
}

PhaseResult LocalFileShareEnv::do_status()
{
    if (std::string error = download_all(true); !error.empty()) {
        spdlog::warn("environment '{}': {}", name(), error);
    }
    return LocalEnv::do_status();
}

} // namespace mlosbench
