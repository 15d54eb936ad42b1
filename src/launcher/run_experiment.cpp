#include "mlosbench/launcher/run_experiment.hpp"

#include "mlosbench/launcher/git_info.hpp"
#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_spec.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

namespace mlosbench {
namespace {

ExperimentSpec experiment_of(const LaunchPlan& plan, const RunOptions& options)
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
    experiment.force = options.force;
    experiment.join = options.join;
    experiment.lease_timeout = options.lease_timeout;
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
        storage->open_experiment(experiment_of(plan, options), plan.tunables);
    OptimizerSpec optimizer_spec = plan.optimizer;
    if (options.join && records->worker_id() > 1) {
        // Workers with one seed would all suggest the same configs: each draws its own.
        optimizer_spec.seed += records->worker_id() - 1;
    }
    const std::unique_ptr<Optimizer> optimizer = make_optimizer(optimizer_spec, plan.tunables);

    RunPolicy policy;
    policy.max_failed_share = options.max_failed_share;
    policy.max_consecutive_failures = options.max_consecutive_failures;
    policy.keep_temp = options.keep_temp;
    policy.cancel = cancel;
    policy.storage_location = storage->location();
    policy.secrets = plan.secrets;
    policy.search_path = plan.loader.search_path();
    policy.on_progress = options.on_progress;
    policy.on_trial_end = options.on_trial_end;
    policy.max_suggestions = plan.optimizer.max_suggestions;
    policy.total_trials = options.total_trials;
    policy.join = options.join;
    policy.heartbeat_interval = options.lease_timeout / 3;
    policy.api_url = options.api_url;
    policy.api_token = options.api_token;
    // With a host pool, each runner's environments run on its own host.
    std::vector<EnvironmentSpec> roots;
    for (const PoolHost& host : plan.host_pool) {
        roots.push_back(bind_to_host(plan.root, host));
    }
    const EnvironmentSpec& root = plan.root;
    Scheduler scheduler(
        plan.scheduler,
        [&root, &roots](const RunnerContext& runner) {
            const auto i = static_cast<std::size_t>(runner.runner_id - 1);
            return Environment::create(i < roots.size() ? roots[i] : root, runner);
        },
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
