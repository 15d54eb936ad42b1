#include "mlosbench/launcher/run_experiment.hpp"

#include "mlosbench/launcher/git_info.hpp"
#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_spec.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

namespace mlosbench {
namespace {

ExperimentSpec experiment_of(const LaunchPlan& plan, bool force)
{
    ExperimentSpec experiment;
    experiment.experiment_id = plan.scheduler.experiment_id;
    experiment.description = plan.root.name;
    const GitInfo git = git_info(plan.root.file);
    experiment.root_env_config = git.rel_path;
    experiment.git_repo = git.repo;
    experiment.git_commit = git.commit;
    for (const auto& [name, direction] : plan.optimizer.targets) {
        experiment.objectives.push_back({name, direction});
    }
    experiment.first_trial_id = plan.scheduler.trial_id < 1 ? 1 : plan.scheduler.trial_id;
    experiment.driver_pid = static_cast<int>(::getpid());
    experiment.force = force;
    return experiment;
}

Status end_status(Outcome outcome)
{
    switch (outcome) {
    case Outcome::ok:
        return Status::succeeded;
    case Outcome::interrupted:
        return Status::canceled;
    case Outcome::failed:
    case Outcome::usage_error:
        return Status::failed;
    }
    return Status::failed;
}

} // namespace

RunSummary run_experiment(const LaunchPlan& plan, const RunOptions& options, CancelToken cancel)
{
    const std::unique_ptr<Storage> storage = open_storage(plan.storage);
    const std::unique_ptr<ExperimentStorage> records =
        storage->open_experiment(experiment_of(plan, options.force), plan.tunables);
    const std::unique_ptr<Optimizer> optimizer = make_optimizer(plan.optimizer, plan.tunables);

    RunPolicy policy;
    policy.max_failed_share = options.max_failed_share;
    policy.max_consecutive_failures = options.max_consecutive_failures;
    policy.keep_temp = options.keep_temp;
    policy.cancel = cancel;
    policy.storage_location = storage->location();
    policy.secrets = plan.secrets;
    policy.search_path = plan.loader.search_path();
    policy.on_progress = options.on_progress;
    const EnvironmentSpec& root = plan.root;
    Scheduler scheduler(
        plan.scheduler,
        [&root](const RunnerContext& runner) { return Environment::create(root, runner); },
        plan.tunables, *optimizer, *records, std::move(policy));
    RunSummary summary;
    try {
        summary = scheduler.run();
    } catch (...) {
        // A run that cannot go on (storage fault, a runner that cannot start) is over: the
        // experiment must not stay RUNNING, which would make it look driven.
        try {
            records->finish(Status::failed, now());
        } catch (const std::exception& e) {
            spdlog::warn("cannot record the end of the experiment: {}", e.what());
        }
        throw;
    }
    records->finish(end_status(summary.outcome), now());
    return summary;
}

} // namespace mlosbench
