#include "mlosbench/environments/mock_env.hpp"

#include "environments/detail/script_support.hpp"
#include "mlosbench/util/box_muller.hpp"

#include <algorithm>
#include <random>

namespace mlosbench {
namespace {

// mlos_bench's MockEnv uses random.gauss(0, 0.2): 0.2 is the standard deviation.
constexpr double k_noise_sigma = 0.2;

// SplitMix64: a tiny generator of our own, so that a seed gives the same noise on every
// platform and standard library (std::normal_distribution is not specified bit for bit).
class SplitMix64
{
public:
    explicit SplitMix64(std::uint64_t state) : m_state(state) {}

    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31U);
    }

    // Uniform in (0, 1): never 0, so that log() below is finite.
    double uniform() { return (static_cast<double>(next() >> 11U) + 0.5) * 0x1.0p-53; }

    double normal()
    {
        const double u1 = uniform();
        const double u2 = uniform();
        return box_muller(u1, u2);
    }

private:
    std::uint64_t m_state;
};

// mlos_bench MockEnv._normalized: a value's place in its domain, in [0, 1].
double normalized(const Tunable& tunable, const TunableValue& value)
{
    double position = 0;
    if (tunable.type() == TunableType::categorical) {
        const auto& values = tunable.values();
        const auto* text = std::get_if<std::string>(&value);
        const auto it =
            text != nullptr ? std::find(values.begin(), values.end(), *text) : values.end();
        if (values.size() > 1 && it != values.end()) {
            position =
                static_cast<double>(it - values.begin()) / static_cast<double>(values.size() - 1);
        }
    } else {
        const double v = std::holds_alternative<std::int64_t>(value)
                             ? static_cast<double>(std::get<std::int64_t>(value))
                         : std::get_if<double>(&value) != nullptr ? std::get<double>(value)
                                                                  : tunable.lower();
        const double width = tunable.upper() - tunable.lower();
        position = width > 0 ? (v - tunable.lower()) / width : 0.0;
    }
    return std::clamp(position, 0.0, 1.0);
}

} // namespace

MockEnv::MockEnv(const EnvironmentSpec& spec, const RunnerContext& runner)
    : Environment(spec, runner), m_settings(std::get<MockSettings>(spec.settings))
{
}

double MockEnv::score(std::uint64_t stream) const
{
    const TunableValues values = own_tunable_values();
    double sum = 0;
    std::size_t count = 0;
    for (const Tunable* tunable : own_tunables()) {
        const double x = normalized(*tunable, values.at(tunable->name()));
        sum += x * x;
        ++count;
    }
    // numpy.mean of nothing is NaN in mlos_bench; a score must be a number, so 0.
    double score = count > 0 ? sum / static_cast<double>(count) : 0.0;
    if (m_settings.seed >= 0) {
        std::uint64_t state = 0;
        if (m_settings.seed == 0) {
            std::random_device device;
            state = (static_cast<std::uint64_t>(device()) << 32U) ^ device();
        } else {
            // Per seed, trial and stream: parallel runners see the same noise as one runner.
            SplitMix64 mix(static_cast<std::uint64_t>(m_settings.seed));
            state = mix.next() ^ static_cast<std::uint64_t>(m_trial.trial_id);
            state = SplitMix64(state).next() ^ stream;
        }
        score += k_noise_sigma * SplitMix64(state).normal();
    }
    score = std::clamp(score, 0.0, 1.0);
    if (m_settings.range) {
        score =
            score * (m_settings.range->second - m_settings.range->first) + m_settings.range->first;
    }
    return score;
}

PhaseResult MockEnv::do_run()
{
    PhaseResult result = detail::make_result(Status::succeeded);
    const double value = score(0);
    for (const auto& metric : m_settings.metrics) {
        result.results[metric] = value;
    }
    return result;
}

PhaseResult MockEnv::do_status()
{
    PhaseResult result = detail::make_result(Status::ready);
    const double value = score(1);
    for (const auto& metric : m_settings.metrics) {
        result.telemetry.push_back({result.time, metric, value});
    }
    return result;
}

} // namespace mlosbench
