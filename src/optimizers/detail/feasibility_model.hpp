#pragma once

#include "gaussian_process.hpp"
#include "space_encoder.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace mlosbench::detail {

/// Where configs fail (docs/optimizers.md, "Failures"): the probability that a trial at an
/// encoded point succeeds, learnt from the observed points and whether each failed. Two
/// estimates, the lower one wins:
/// - a Gaussian process over the same encoding as the surrogate, fitted to the failure labels
///   centred on the smoothed failure rate: the probability that the label's normal posterior
///   stays below 1/2. It finds failing regions of numeric coordinates and of combinations;
/// - per categorical level (a categorical tunable's value, or a special value), a level that
///   failed f times and never succeeded gets 1 / (f + 2): a value that always fails is ruled
///   out after three tries whatever the other coordinates.
/// Without any failure every point is feasible (probability 1), so nothing changes for
/// benchmarks that never fail.
class FeasibilityModel
{
public:
    /// Points at or below this probability of success are predicted to fail.
    static constexpr double k_infeasible = 0.2;

    explicit FeasibilityModel(const std::vector<Coordinate>& coordinates);

    /// Learns from `failed.size()` points (rows of the encoder's coordinates in `x`).
    void train(const std::vector<double>& x, const std::vector<bool>& failed);

    /// Whether a training point failed; false before train() or when none did.
    [[nodiscard]] bool active() const { return m_active; }

    /// The probability that a trial at each of `m` points succeeds, in [0.01, 1].
    void predict(const double* points, std::size_t m, double* p_ok) const;

private:
    std::vector<Coordinate> m_coordinates;
    GaussianProcess m_gp;
    std::optional<GaussianProcess::Params> m_params; ///< warm start of the next fit
    bool m_active = false;
    bool m_gp_ready = false;
    double m_rate = 0;  ///< smoothed failure rate, the prior mean of the labels
    double m_scale = 1; ///< standard deviation of a label at that rate
    /// Per coordinate and level: the probability of success from that level's record alone
    /// (1 unless the level never succeeded); empty for numeric coordinates.
    std::vector<std::vector<double>> m_level_ok;
    mutable std::vector<double> m_mean;
    mutable std::vector<double> m_var;
};

} // namespace mlosbench::detail
