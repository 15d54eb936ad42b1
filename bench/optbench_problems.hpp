#pragma once

// The optimizer test problems of docs/optimizer-benchmark.md (all minimised), as functions and
// as tunable spaces. Used by bench/optbench.cpp and tests/optimizers/optbench_problems_test.cpp.

#include "mlosbench/tunables/tunable.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace optbench {

inline double branin(double x1, double x2)
{
    const double pi = M_PI;
    const double a = 1.0;
    const double b = 5.1 / (4 * pi * pi);
    const double c = 5.0 / pi;
    const double r = 6.0;
    const double s = 10.0;
    const double t = 1.0 / (8 * pi);
    const double q = x2 - b * x1 * x1 + c * x1 - r;
    return a * q * q + s * (1 - t) * std::cos(x1) + s;
}

inline double hartmann6(const std::array<double, 6>& x)
{
    static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static constexpr double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                       {0.05, 10, 17, 0.1, 8, 14},
                                       {3, 3.5, 1.7, 10, 17, 8},
                                       {17, 8, 0.05, 10, 0.1, 14}};
    static constexpr int p[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                    {2329, 4135, 8307, 3736, 1004, 9991},
                                    {2348, 1451, 3522, 2883, 3047, 6650},
                                    {4047, 8828, 8732, 5743, 1091, 381}};
    double f = 0;
    for (int i = 0; i < 4; ++i) {
        double inner = 0;
        for (int j = 0; j < 6; ++j) {
            const double d = x[j] - p[i][j] * 1e-4;
            inner += a[i][j] * d * d;
        }
        f -= alpha[i] * std::exp(-inner);
    }
    return f;
}

inline double rosenbrock4(const std::array<double, 4>& x)
{
    double f = 0;
    for (int i = 0; i < 3; ++i) {
        const double u = x[i + 1] - x[i] * x[i];
        const double v = 1 - x[i];
        f += 100 * u * u + v * v;
    }
    return f;
}

struct MixedsysPoint
{
    std::int64_t workers = 4;
    std::int64_t buffer_kb = 64;
    std::int64_t prefetch = 0;
    double cache_ratio = 0.5;
    double flush_ms = 1000;
    std::string scheduler = "fifo";
    std::string compression = "none";
};

inline double mixedsys(const MixedsysPoint& x)
{
    static constexpr std::array<std::string_view, 5> schedulers = {"fifo", "lifo", "rr", "cfs",
                                                                   "deadline"};
    static constexpr double best_workers[5] = {6, 3, 10, 26, 14};
    static constexpr double scheduler_offset[5] = {0.30, 0.60, 0.15, 0.00, 0.05};
    static constexpr std::array<std::string_view, 3> compressions = {"none", "lz4", "zstd"};
    static constexpr double best_log_buffer[3] = {14, 12, 9};
    static constexpr double best_ratio[3] = {0.20, 0.85, 0.50};
    static constexpr double compression_offset[3] = {0.40, 0.00, 0.10};
    std::size_t s = 0;
    while (s < schedulers.size() && schedulers[s] != x.scheduler) {
        ++s;
    }
    std::size_t c = 0;
    while (c < compressions.size() && compressions[c] != x.compression) {
        ++c;
    }
    if (s == schedulers.size() || c == compressions.size()) {
        return NAN;
    }
    const auto w = static_cast<double>(x.workers);
    const auto p = static_cast<double>(x.prefetch);
    const double u = std::log2(static_cast<double>(x.buffer_kb));
    const double dw = w - best_workers[s];
    const double du = u - best_log_buffer[c] - 0.25 * dw;
    const double dr = x.cache_ratio - best_ratio[c] - 0.03 * (u - best_log_buffer[c]);
    const double dv = std::log10(x.flush_ms / 50.0) + 0.5 * dr;
    const double tw = 0.5 * (dw / 8) * (dw / 8);
    const double tu = 0.3 * (du / 4) * (du / 4);
    const double tp = p == 0 ? 0.35 : 0.03 * std::fabs(p - 3);
    const double tr = 2.0 * dr * dr;
    const double tv = 0.4 * dv * dv + 0.1 * (1 - std::cos(2 * M_PI * dv));
    return 1.0 + scheduler_offset[s] + compression_offset[c] + tw + tu + tp + tr + tv;
}

/// mixedsys_fail: mixedsys where some configs fail (the trial gives no score, as a benchmark
/// that crashes): every config with scheduler "deadline" (the runner-up pair deadline/lz4 lies
/// there), and the corner cache_ratio > 0.8 with flush_ms < 5 (about 8% of the box, next to the
/// optimum at cache_ratio 0.85, flush_ms 50). The optimum stays feasible, f* = 1.
inline bool mixedsys_fails(const MixedsysPoint& x)
{
    return x.scheduler == "deadline" || (x.cache_ratio > 0.8 && x.flush_ms < 5.0);
}

/// A problem as the harness runs it: its tunables (a tunable-params document), its function of
/// a config, its known minimum, and which configs fail (none when `fails` is null).
struct Problem
{
    std::string name;
    std::string tunables; ///< JSON
    double optimum = 0;
    double (*evaluate)(const mlosbench::TunableValues&) = nullptr;
    bool (*fails)(const mlosbench::TunableValues&) = nullptr;
};

namespace detail {

inline double number(const mlosbench::TunableValues& v, const std::string& name)
{
    const auto& value = v.at(name);
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        return static_cast<double>(*i);
    }
    return std::get<double>(value);
}

inline double branin_of(const mlosbench::TunableValues& v)
{
    return branin(number(v, "x1"), number(v, "x2"));
}

inline const std::array<std::string, 6> k_names = {"x1", "x2", "x3", "x4", "x5", "x6"};

inline double hartmann6_of(const mlosbench::TunableValues& v)
{
    std::array<double, 6> x{};
    for (std::size_t i = 0; i < 6; ++i) {
        x[i] = number(v, k_names[i]);
    }
    return hartmann6(x);
}

inline double rosenbrock4_of(const mlosbench::TunableValues& v)
{
    std::array<double, 4> x{};
    for (std::size_t i = 0; i < 4; ++i) {
        x[i] = number(v, k_names[i]);
    }
    return rosenbrock4(x);
}

inline MixedsysPoint mixedsys_point(const mlosbench::TunableValues& v)
{
    MixedsysPoint x;
    x.workers = std::get<std::int64_t>(v.at("workers"));
    x.buffer_kb = std::get<std::int64_t>(v.at("buffer_kb"));
    x.prefetch = std::get<std::int64_t>(v.at("prefetch"));
    x.cache_ratio = std::get<double>(v.at("cache_ratio"));
    x.flush_ms = std::get<double>(v.at("flush_ms"));
    x.scheduler = std::get<std::string>(v.at("scheduler"));
    x.compression = std::get<std::string>(v.at("compression"));
    return x;
}

inline double mixedsys_of(const mlosbench::TunableValues& v) { return mixedsys(mixedsys_point(v)); }

inline bool mixedsys_fails_of(const mlosbench::TunableValues& v)
{
    return mixedsys_fails(mixedsys_point(v));
}

} // namespace detail

inline const char* const k_mixedsys_tunables =
    R"({"mixedsys": {"cost": 1, "params": {
             "workers": {"type": "int", "range": [1, 32], "default": 4},
             "buffer_kb": {"type": "int", "range": [1, 65536], "default": 64, "log": true},
             "prefetch": {"type": "int", "range": [1, 16], "default": 0, "special": [0],
                          "special_weights": [1], "range_weight": 16},
             "cache_ratio": {"type": "float", "range": [0, 1], "default": 0.5},
             "flush_ms": {"type": "float", "range": [0.1, 1000], "default": 1000, "log": true},
             "scheduler": {"type": "categorical",
                           "values": ["fifo", "lifo", "rr", "cfs", "deadline"],
                           "default": "fifo"},
             "compression": {"type": "categorical", "values": ["none", "lz4", "zstd"],
                             "default": "none"}}}})";

/// The four benchmark problems and mixedsys_fail. Defaults are the centre of the box
/// (mixedsys: its shipped defaults); prefetch 0 is a special value drawn as often as any other
/// value by random sampling.
inline const std::vector<Problem>& problems()
{
    static const std::vector<Problem> all = {
        {"branin",
         R"({"branin": {"cost": 1, "params": {
             "x1": {"type": "float", "range": [-5, 10], "default": 2.5},
             "x2": {"type": "float", "range": [0, 15], "default": 7.5}}}})",
         5.0 / (4.0 * M_PI), detail::branin_of},
        {"hartmann6",
         R"({"hartmann6": {"cost": 1, "params": {
             "x1": {"type": "float", "range": [0, 1], "default": 0.5},
             "x2": {"type": "float", "range": [0, 1], "default": 0.5},
             "x3": {"type": "float", "range": [0, 1], "default": 0.5},
             "x4": {"type": "float", "range": [0, 1], "default": 0.5},
             "x5": {"type": "float", "range": [0, 1], "default": 0.5},
             "x6": {"type": "float", "range": [0, 1], "default": 0.5}}}})",
         -3.3223680114155147, detail::hartmann6_of},
        {"rosenbrock4",
         R"({"rosenbrock4": {"cost": 1, "params": {
             "x1": {"type": "float", "range": [-5, 10], "default": 2.5},
             "x2": {"type": "float", "range": [-5, 10], "default": 2.5},
             "x3": {"type": "float", "range": [-5, 10], "default": 2.5},
             "x4": {"type": "float", "range": [-5, 10], "default": 2.5}}}})",
         0.0, detail::rosenbrock4_of},
        {"mixedsys", k_mixedsys_tunables, 1.0, detail::mixedsys_of},
        {"mixedsys_fail", k_mixedsys_tunables, 1.0, detail::mixedsys_of,
         detail::mixedsys_fails_of},
    };
    return all;
}

} // namespace optbench
