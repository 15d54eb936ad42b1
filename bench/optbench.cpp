// optbench: runs mlosbench's optimizers on the problems of optbench_problems.hpp and writes one
// CSV row per (sampler, problem, seed), in the columns of the reference runs it is compared
// with (docs/optimizer-benchmark.md).
//
//   optbench [--samplers mlosbench_tpe,mlosbench_random] [--problems branin,...]
//            [--seeds 1-40] [--budget 100] [--config JSON] [-o our_runs.csv]
//   optbench --timing 3 [--seeds 1-10]        time the last suggestion (fastest of 3 runs)
//   optbench --scale 1000 [--problems ...]    time suggestions after N observations
//
// See docs/optimizer-benchmark.md.

#include "mlosbench/optimizers/optimizer.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "optbench_problems.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using mlosbench::Json;
using Clock = std::chrono::steady_clock;

struct Options
{
    std::vector<std::string> samplers = {"mlosbench_tpe", "mlosbench_random"};
    std::vector<std::string> problems;
    int first_seed = 1;
    int last_seed = 40;
    int budget = 100;
    Json config = Json::object();
    std::string out;
    int scale = 0;
    bool trace = false;
    double noise = 0; ///< sd of Gaussian noise added to each observed score
    int timing = 0;   ///< repeats of each timed run (the fastest counts); 0 = no timing mode
};

std::vector<std::string> split(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (!item.empty()) {
            out.push_back(item);
        }
    }
    return out;
}

// CPU time of this thread in ms: suggestion costs without the noise of other processes.
double thread_cpu_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

double elapsed_ms(Clock::time_point since)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

mlosbench::OptimizerSpec
spec_for(const std::string& sampler, std::int64_t seed, int budget, const Json& config)
{
    mlosbench::OptimizerSpec spec;
    if (sampler == "mlosbench_tpe") {
        spec.class_name = "TpeOptimizer";
    } else if (sampler == "mlosbench_random") {
        spec.class_name = "MockOptimizer";
    } else {
        throw std::runtime_error("unknown sampler '" + sampler +
                                 "' (mlosbench_tpe or mlosbench_random)");
    }
    spec.targets = {{"score", "min"}};
    spec.max_suggestions = budget;
    spec.seed = seed;
    spec.seed_from_config = true;
    // As the reference runs: no first trial at the defaults.
    spec.start_with_defaults = false;
    spec.config = config;
    return spec;
}

mlosbench::TunableGroups space_of(const optbench::Problem& problem)
{
    mlosbench::TunableGroups space;
    space.add_from_json(Json::parse(problem.tunables), problem.name);
    return space;
}

struct RunResult
{
    std::vector<double> regret; ///< best-so-far regret after each trial
    std::vector<int> failed;    ///< failed trials so far, after each trial
    double last_suggest_ms = 0;
    double last_suggest_cpu_ms = 0;
    double wall_s = 0;
};

RunResult run(const optbench::Problem& problem,
              const std::string& sampler,
              std::int64_t seed,
              const Options& options)
{
    const auto start = Clock::now();
    const mlosbench::TunableGroups space = space_of(problem);
    auto optimizer =
        mlosbench::make_optimizer(spec_for(sampler, seed, options.budget, options.config), space);
    RunResult result;
    double best = std::numeric_limits<double>::infinity();
    // With --noise the optimizer sees noisy scores; the regret is that of the config with the
    // best noisy score, as a user would pick it.
    double best_observed = std::numeric_limits<double>::infinity();
    std::mt19937_64 noise_rng(static_cast<std::uint64_t>(seed) * 7919U + 1U);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (int trial = 1; trial <= options.budget; ++trial) {
        const auto t0 = Clock::now();
        const double cpu0 = thread_cpu_ms();
        const auto suggestion = optimizer->suggest();
        const double cpu = thread_cpu_ms() - cpu0;
        const double ms = elapsed_ms(t0);
        if (!suggestion) {
            break;
        }
        result.last_suggest_ms = ms;
        result.last_suggest_cpu_ms = cpu;
        const bool fails = problem.fails != nullptr && problem.fails(suggestion->config);
        const double f = fails ? NAN : problem.evaluate(suggestion->config);
        result.failed.push_back((result.failed.empty() ? 0 : result.failed.back()) +
                                (fails ? 1 : 0));
        if (options.trace) {
            std::string text;
            for (const auto& [name, value] : suggestion->config) {
                text.append(" ").append(name).append("=").append(mlosbench::to_text(value));
            }
            std::fprintf(stderr, "%s %s %lld %d %.6g%s\n", sampler.c_str(), problem.name.c_str(),
                         static_cast<long long>(seed), trial, f - problem.optimum, text.c_str());
        }
        mlosbench::Observation obs;
        obs.config = suggestion->config;
        if (fails) {
            obs.status = mlosbench::Status::failed; // no score, as a trial that crashed
        } else {
            const double seen = options.noise > 0 ? f + options.noise * normal(noise_rng) : f;
            if (seen < best_observed) {
                best_observed = seen;
                best = f;
            }
            obs.status = mlosbench::Status::succeeded;
            obs.scores["score"] = seen;
        }
        result.regret.push_back(best - problem.optimum);
        optimizer->register_observations({obs});
    }
    result.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

// Wall time of the last suggestion of a run, the fastest of `options.timing` identical runs
// (the runs are deterministic): what the optimizer costs, without other processes' noise.
void timing_test(const optbench::Problem& problem, const Options& options)
{
    std::vector<double> times;
    for (int seed = options.first_seed; seed <= options.last_seed; ++seed) {
        double fastest = std::numeric_limits<double>::infinity();
        for (int i = 0; i < options.timing; ++i) {
            fastest =
                std::min(fastest, run(problem, "mlosbench_tpe", seed, options).last_suggest_ms);
        }
        times.push_back(fastest);
    }
    std::sort(times.begin(), times.end());
    std::printf("%-12s suggestion %d: median %.3f ms, max %.3f ms over %zu seeds\n",
                problem.name.c_str(), options.budget, times[times.size() / 2], times.back(),
                times.size());
}

// Times the 10 suggestions that follow `count` random observations (each the fastest of
// `options.timing` identical runs, at least one). The first includes the first model fit.
void scale_test(const optbench::Problem& problem, int count, const Options& options)
{
    const mlosbench::TunableGroups space = space_of(problem);
    auto random =
        mlosbench::make_optimizer(spec_for("mlosbench_random", 7, 0, Json::object()), space);
    std::vector<mlosbench::Observation> observations;
    for (int i = 0; i < count; ++i) {
        mlosbench::Observation obs;
        obs.config = random->suggest()->config;
        obs.scores["score"] = problem.evaluate(obs.config);
        observations.push_back(std::move(obs));
    }
    constexpr int k_suggestions = 10;
    std::vector<double> times(k_suggestions, std::numeric_limits<double>::infinity());
    for (int repeat = 0; repeat < std::max(1, options.timing); ++repeat) {
        auto optimizer =
            mlosbench::make_optimizer(spec_for("mlosbench_tpe", 1, 0, options.config), space);
        optimizer->register_observations(observations);
        for (int i = 0; i < k_suggestions; ++i) {
            const auto t0 = Clock::now();
            const auto suggestion = optimizer->suggest();
            times[i] = std::min(times[i], elapsed_ms(t0));
            mlosbench::Observation obs;
            obs.config = suggestion->config;
            obs.scores["score"] = problem.evaluate(obs.config);
            optimizer->register_observations({obs});
        }
    }
    const double first = times.front();
    std::sort(times.begin(), times.end());
    std::printf("%-12s after %d observations: first suggestion %.3f ms, then median %.3f ms, "
                "max %.3f ms\n",
                problem.name.c_str(), count, first, times[times.size() / 2], times.back());
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw std::runtime_error(arg + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--samplers") {
            o.samplers = split(value());
        } else if (arg == "--problems") {
            o.problems = split(value());
        } else if (arg == "--seeds") {
            const std::string v = value();
            const auto dash = v.find('-');
            o.first_seed = std::stoi(v.substr(0, dash));
            o.last_seed = dash == std::string::npos ? o.first_seed : std::stoi(v.substr(dash + 1));
        } else if (arg == "--budget") {
            o.budget = std::stoi(value());
        } else if (arg == "--config") {
            o.config = Json::parse(value());
        } else if (arg == "-o" || arg == "--out") {
            o.out = value();
        } else if (arg == "--timing") {
            o.timing = std::stoi(value());
        } else if (arg == "--noise") {
            o.noise = std::stod(value());
        } else if (arg == "--trace") {
            o.trace = true;
        } else if (arg == "--scale") {
            o.scale = std::stoi(value());
        } else if (arg == "-h" || arg == "--help") {
            std::cout << "usage: optbench [--samplers S,...] [--problems P,...] [--seeds A-B] "
                         "[--budget N] [--config JSON] [--noise SD] [--trace] [-o FILE]\n"
                         "       optbench --timing REPEATS [--seeds A-B] [--problems P,...]\n"
                         "       optbench --scale N [--problems P,...]\n";
            std::exit(0);
        } else {
            throw std::runtime_error("unknown argument " + arg);
        }
    }
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        spdlog::set_level(spdlog::level::warn);
        const Options options = parse(argc, argv);
        std::vector<const optbench::Problem*> problems;
        for (const auto& p : optbench::problems()) {
            if (options.problems.empty() ||
                std::find(options.problems.begin(), options.problems.end(), p.name) !=
                    options.problems.end()) {
                problems.push_back(&p);
            }
        }
        if (options.scale > 0) {
            for (const auto* p : problems) {
                scale_test(*p, options.scale, options);
            }
            return 0;
        }
        if (options.timing > 0) {
            for (const auto* p : problems) {
                timing_test(*p, options);
            }
            return 0;
        }
        std::ofstream file;
        if (!options.out.empty()) {
            file.open(options.out);
        }
        std::ostream& out = options.out.empty() ? std::cout : file;
        std::vector<double> cpu_ms_100;
        out << "sampler,problem,seed,regret_30,regret_60,regret_100,suggest_ms_100,run_wall_s,"
               "failed_30,failed_60,failed_100\n";
        for (const auto& sampler : options.samplers) {
            for (const auto* p : problems) {
                for (int seed = options.first_seed; seed <= options.last_seed; ++seed) {
                    const RunResult r = run(*p, sampler, seed, options);
                    const auto at = [&](std::size_t budget) {
                        return r.regret[std::min(budget, r.regret.size()) - 1];
                    };
                    const auto failed_at = [&](std::size_t budget) {
                        return r.failed[std::min(budget, r.failed.size()) - 1];
                    };
                    char line[256];
                    std::snprintf(line, sizeof(line), "%s,%s,%d,%g,%g,%g,%.3f,%.3f,%d,%d,%d\n",
                                  sampler.c_str(), p->name.c_str(), seed, at(30), at(60), at(100),
                                  r.last_suggest_ms, r.wall_s, failed_at(30), failed_at(60),
                                  failed_at(100));
                    out << line << std::flush;
                    cpu_ms_100.push_back(r.last_suggest_cpu_ms);
                }
            }
        }
        if (!cpu_ms_100.empty()) {
            std::sort(cpu_ms_100.begin(), cpu_ms_100.end());
            std::fprintf(stderr, "last suggestion, thread cpu time: median %.3f ms, max %.3f ms\n",
                         cpu_ms_100[cpu_ms_100.size() / 2], cpu_ms_100.back());
        }
    } catch (const std::exception& e) {
        std::cerr << "optbench: error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
