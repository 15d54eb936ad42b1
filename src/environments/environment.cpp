#include "mlosbench/environments/environment.hpp"

#include "environments/detail/script_support.hpp"
#include "mlosbench/environments/environment_registry.hpp"

#include <spdlog/spdlog.h>

namespace mlosbench {

std::unique_ptr<Environment> Environment::create(const EnvironmentSpec& spec,
                                                 const RunnerContext& runner)
{
    return environment_class(spec.settings).make(spec, runner);
}

Environment::Environment(const EnvironmentSpec& spec, const RunnerContext& runner)
    : m_spec(spec), m_runner(runner)
{
    // Outside a trial (teardown without a setup) the parameters are the const args and the
    // runner's id, so that a `temp_dir` such as /tmp/x/$trial_runner_id still expands.
    m_parameters = spec.params.to_json();
    m_parameters["trial_runner_id"] = runner.runner_id;
    m_trial.runner_id = runner.runner_id;
    m_trial.experiment_id = runner.experiment_id;
}

PhaseResult Environment::setup(const TrialContext& trial)
{
    m_ready = false;
    m_torn_down = false;
    m_trial = trial;
    Json params = m_spec.params.to_json();
    // Trial metadata (repeat_i, optimizer, ...) reaches only the names the environment declares.
    for (auto& [key, value] : params.items()) {
        if (trial.metadata.is_object() && trial.metadata.contains(key)) {
            value = trial.metadata.at(key);
        }
    }
    params["experiment_id"] = trial.experiment_id;
    params["trial_id"] = trial.trial_id;
    params["trial_runner_id"] = trial.runner_id;
    // Last: nothing overrides a tunable's value, not even a const arg or global of its name.
    const TunableValues values = own_tunable_values();
    for (const Tunable* tunable : own_tunables()) {
        params[tunable->name()] = to_json(values.at(tunable->name()));
    }
    m_parameters = std::move(params);
    PhaseResult result = finish(do_setup(), Status::ready);
    m_ready = result.status == Status::ready;
    return result;
}

PhaseResult Environment::run()
{
    if (!m_ready) {
        return finish(
            detail::make_result(Status::failed, "run: environment '" + name() + "' is not set up"),
            Status::succeeded);
    }
    return finish(do_run(), Status::succeeded);
}

PhaseResult Environment::status()
{
    if (!m_ready) {
        return finish(detail::make_result(Status::pending), Status::pending);
    }
    return finish(do_status(), Status::ready);
}

void Environment::end_trial()
{
    do_end_trial();
    m_ready = false;
}

void Environment::teardown()
{
    if (m_torn_down) {
        return;
    }
    m_torn_down = true;
    m_ready = false;
    do_teardown();
}

PhaseResult Environment::do_setup() { return detail::make_result(Status::ready); }

PhaseResult Environment::do_status() { return detail::make_result(Status::ready); }

PhaseResult Environment::finish(PhaseResult result, Status success) const
{
    result.time = now();
    if (result.status != success && !result.reason.empty()) {
        spdlog::debug("environment '{}': {}", name(), result.reason);
    }
    return result;
}

std::vector<const Tunable*> Environment::own_tunables() const
{
    if (m_runner.space == nullptr || m_spec.tunable_params.empty()) {
        return {};
    }
    return m_runner.space->tunables(m_spec.tunable_params);
}

TunableValues Environment::own_tunable_values() const
{
    TunableValues out;
    for (const Tunable* tunable : own_tunables()) {
        const auto it = m_trial.tunables.find(tunable->name());
        out.emplace(tunable->name(), it != m_trial.tunables.end() ? it->second : tunable->value());
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> Environment::trial_variables() const
{
    return {
        {"MLOSBENCH_EXPERIMENT_ID", m_trial.experiment_id},
        {"MLOSBENCH_TRIAL_ID", std::to_string(m_trial.trial_id)},
        {"MLOSBENCH_TRIAL_RUNNER_ID", std::to_string(m_trial.runner_id)},
        {"MLOSBENCH_STORAGE", m_trial.storage},
    };
}

} // namespace mlosbench
