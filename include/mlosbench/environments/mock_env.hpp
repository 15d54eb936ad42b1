#pragma once

#include "mlosbench/environments/environment.hpp"

#include <cstdint>

namespace mlosbench {

/// A benchmark without a benchmark, as mlos_bench's MockEnv: the score is the mean of the squared
/// normalised values of the environment's tunables, plus noise N(0, 0.2) when
/// `mock_env_seed` >= 0, clipped to [0, 1] and scaled to `mock_env_range`. With a seed > 0
/// the noise is the same for the same seed and trial id, whatever the runner.
class MockEnv : public Environment
{
public:
    /// `spec.settings` must hold MockSettings.
    MockEnv(const EnvironmentSpec& spec, const RunnerContext& runner);

    /// The score of the current trial's tunables; `stream` picks an independent noise draw.
    [[nodiscard]] double score(std::uint64_t stream) const;

protected:
    /// SUCCEEDED with every metric set to the score.
    PhaseResult do_run() override;
    /// READY with one sample per metric, now.
    PhaseResult do_status() override;

private:
    const MockSettings& m_settings;
};

} // namespace mlosbench
