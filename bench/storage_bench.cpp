// Records 10,000 trials of a MockEnv-like loop into a storage, the way the scheduler drives
// it, and prints how long the first and the last 1,000 trials took and the peak RSS. A storage
// that slows down as the experiment grows shows it here; run on both backends it gives the
// per-trial cost of each.
//   storage_bench [TRIALS] [STORAGE]   (run it from a Release build)
//     STORAGE  a postgresql://... URL (bench/with_postgres.sh gives one); default a temporary
//              SQLite file

#include "mlosbench/storage/storage.hpp"
#include "mlosbench/storage/storage_spec.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace mlosbench;
using Clock = std::chrono::steady_clock;

TunableGroups make_tunables()
{
    TunableGroups tunables;
    tunables.add_from_json(Json::parse(R"({
        "kernel": {"cost": 1, "params": {
            "sched_latency_ns": {"type": "int", "range": [0, 1000000000], "default": 2000000},
            "sched_migration_cost_ns": {"type": "int", "range": [-1, 500000], "default": -1},
            "vm_swappiness": {"type": "float", "range": [0, 100], "default": 60.0}
        }},
        "app": {"cost": 10, "params": {
            "mode": {"type": "categorical", "values": ["fast", "safe", "auto"], "default": "auto"}
        }}
    })"),
                           "bench");
    return tunables;
}

long peak_rss_kib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

int main(int argc, char** argv)
{
    const int trials = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int block = 1000;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("mlosbench-storage-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "bench.db").string();
    const std::string location = argc > 2 ? argv[2] : path;

    try {
        TunableGroups tunables = make_tunables();
        const StorageSpec storage_spec = storage_spec_from_location(location, "STORAGE");
        auto storage = open_storage(storage_spec);
        ExperimentSpec spec;
        spec.experiment_id = "bench";
        spec.description = "storage bench";
        spec.root_env_config = "environments/mock/mock_env.jsonc";
        spec.objectives = {{"score", "min"}};
        auto exp = storage->open_experiment(spec, tunables);

        std::mt19937_64 rng(42);
        std::int64_t last_seen = 0;
        std::vector<double> block_seconds;
        auto block_start = Clock::now();
        std::size_t loaded = 0;
        for (int i = 0; i < trials; ++i) {
            tunables.randomize(rng);
            const TunableValues values = tunables.values();
            const Json metadata = {{"optimizer", "MockOptimizer"},
                                   {"repeat_i", 1},
                                   {"is_defaults", i == 0},
                                   {"opt_target_0", "score"},
                                   {"opt_direction_0", "min"}};
            const auto record =
                *exp->new_trial(values, tunables.canonical_text(values), metadata, now());
            exp->assign_runner(record.trial_id, 1);
            exp->update_trial(record.trial_id, Status::running, now());
            exp->add_telemetry(record.trial_id, {{now(), "score", 0.5}, {now(), "latency", 12}});
            exp->update_trial(record.trial_id, Status::succeeded, now(),
                              {{"score", 0.25 + i * 1e-6}, {"throughput", 1000 + i}});
            const auto completed = exp->load_completed(last_seen);
            loaded += completed.size();
            if (!completed.empty()) {
                last_seen = completed.back().trial_id;
            }
            if ((i + 1) % block == 0) {
                const auto end = Clock::now();
                block_seconds.push_back(std::chrono::duration<double>(end - block_start).count());
                block_start = end;
            }
        }
        exp->finish(Status::succeeded, now());
        exp.reset();
        storage.reset();

        // A resume: reopen, list interrupted trials, reload every result for the optimizer.
        const auto resume_start = Clock::now();
        storage = open_storage(storage_spec);
        exp = storage->open_experiment(spec, tunables);
        const auto interrupted = exp->claim_trials();
        const auto all = exp->load_completed(0);
        const double resume_seconds =
            std::chrono::duration<double>(Clock::now() - resume_start).count();

        std::printf("trials recorded: %d (loaded back %zu)\n", trials, loaded);
        if (!block_seconds.empty()) {
            std::printf("first %d trials: %.3f s (%.1f us/trial)\n", block, block_seconds.front(),
                        block_seconds.front() * 1e6 / block);
            std::printf("last %d trials:  %.3f s (%.1f us/trial)\n", block, block_seconds.back(),
                        block_seconds.back() * 1e6 / block);
        }
        std::printf("resume (open, %zu interrupted, load_completed of %zu): %.3f s\n",
                    interrupted.size(), all.size(), resume_seconds);
        std::printf("peak RSS: %.1f MiB\n", static_cast<double>(peak_rss_kib()) / 1024.0);
        std::printf("storage: %s\n", storage_spec.location().c_str());
        if (storage_spec.drivername == "sqlite") {
            std::printf("database: %.1f MiB\n",
                        static_cast<double>(std::filesystem::file_size(path)) /
                            (1024.0 * 1024.0));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "storage_bench: error: %s\n", e.what());
        std::filesystem::remove_all(dir);
        return 1;
    }
    std::filesystem::remove_all(dir);
    return 0;
}
