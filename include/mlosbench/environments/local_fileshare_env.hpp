#pragma once

#include "mlosbench/environments/local_env.hpp"
#include "mlosbench/services/file_share_service.hpp"

#include <memory>
#include <string>

namespace mlosbench {

/// A LocalEnv that also copies files to and from a file share: `upload` after
/// a successful setup, `download` before run (a missing file fails the trial) and before
/// status (a missing file is ignored). `from` and `to` are `$var`-expanded with every
/// parameter plus `PWD` = the trial's temp dir; relative local paths are in the temp dir.
class LocalFileShareEnv : public LocalEnv
{
public:
    /// `spec.settings` must hold FileShareEnvSettings.
    LocalFileShareEnv(const EnvironmentSpec& spec,
                      const RunnerContext& runner,
                      std::unique_ptr<FileShareService> share);

protected:
    /// LocalEnv's setup, then the uploads.
    PhaseResult do_setup() override;
    /// The downloads (a missing file fails the trial), then LocalEnv's run.
    PhaseResult do_run() override;
    /// The downloads (a missing file is ignored), then LocalEnv's status.
    PhaseResult do_status() override;

private:
    /// Downloads every `download` entry; "" or the first failure (missing ones too when
    /// `missing_ok` is false).
    [[nodiscard]] std::string download_all(bool missing_ok);
    [[nodiscard]] std::string expand(const std::string& text) const;

    const FileShareEnvSettings& m_share_settings;
    std::unique_ptr<FileShareService> m_share;
};

} // namespace mlosbench
