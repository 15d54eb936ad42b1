#pragma once

#include "mlosbench/environments/environment.hpp"

#include <memory>
#include <vector>

namespace mlosbench {

/// Runs its children in order, as mlos_bench's CompositeEnv: setup stops at the first child that is not
/// ready, run at the first whose status is not good; results are merged (later children win),
/// telemetry concatenated; teardown in reverse order. A child's failure reason is returned
/// as `environment 'CHILD': REASON`.
class CompositeEnv : public Environment
{
public:
    /// Builds the children of `spec` with Environment::create.
    CompositeEnv(const EnvironmentSpec& spec, const RunnerContext& runner);

    [[nodiscard]] const std::vector<std::unique_ptr<Environment>>& children() const
    {
        return m_children;
    }

protected:
    PhaseResult do_setup() override;
    PhaseResult do_run() override;
    PhaseResult do_status() override;
    void do_end_trial() override;
    void do_teardown() override;

private:
    std::vector<std::unique_ptr<Environment>> m_children;
};

} // namespace mlosbench
