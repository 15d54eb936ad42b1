#pragma once

#include "base_optimizer.hpp"
#include "detail/feasibility_model.hpp"
#include "detail/gaussian_process.hpp"
#include "detail/space_encoder.hpp"

#include <set>

namespace mlosbench {

/// Settings of TpeOptimizer. Only n_random_init is a config key; the rest are the tuned
/// defaults (docs/optimizers.md), kept together here.
struct TpeSettings
{
    std::size_t n_random_init = 0; ///< 0 = tunables + 1, within [5, 10]
    /// The surrogate learns from at most this many observations (the best half and the most
    /// recent others), so that a suggestion stays cheap after thousands of trials.
    std::size_t max_model_points = 200;
    /// Hyperparameters are fitted on at most this many of them.
    std::size_t max_fit_points = 64;
    int first_fit_evals = 60; ///< likelihood evaluations of the first fit
    int refit_evals = 3;      ///< then per suggestion, warm-started
    // Candidates per suggestion. More search makes the expected improvement greedier and the
    // results no better on the benchmark (docs/optimizer-benchmark.md), so it stays small.
    std::size_t global_candidates = 64;
    std::size_t local_candidates = 96;
    std::size_t refine_chains = 4;
    std::size_t refine_children = 4;
    int refine_rounds = 5;
};

/// Our model-based optimizer (docs/optimizers.md): a space-filling initial design, then a
/// Gaussian-process surrogate over the encoded tunables (ints, floats, log scales, quantization,
/// categoricals, special values) whose expected improvement is maximised over prior samples,
/// perturbations of the best configs and a local refinement. Several targets are scalarised
/// afresh for each suggestion (ParEGO). Failed trials train a feasibility model instead of the
/// surrogate: configs predicted to fail are not suggested while others are left, and a config
/// that failed is never suggested again. Deterministic for a given seed.
class TpeOptimizer final : public BaseOptimizer
{
public:
    /// `name` is the class name reported (MlosCoreOptimizer maps here too).
    TpeOptimizer(std::string name,
                 const OptimizerSpec& spec,
                 const TunableGroups& space,
                 TpeSettings settings);

private:
    struct Point
    {
        std::vector<double> x;      ///< encoded
        std::string key;            ///< the config it decodes to, as text
        std::vector<double> values; ///< per target, minimised; +inf when failed
        bool ok = false;
    };

    [[nodiscard]] std::optional<Suggestion> next() override;
    void on_register(const std::vector<Scored>& batch) override;

    /// The next point of the initial design that is neither observed nor pending (prior
    /// samples once the design is used up).
    [[nodiscard]] std::vector<double> design_point();
    /// The new point maximising expected improvement (times the probability of success once a
    /// trial failed); empty when the model cannot be used.
    [[nodiscard]] std::vector<double> model_point();
    /// Trains the feasibility model on the most recent observations (after a failure).
    void train_feasibility();
    /// Probability of success at one point (1 while no trial failed).
    [[nodiscard]] double p_ok(const double* x) const;
    /// One score per observation (several targets combined), +inf for failed ones.
    [[nodiscard]] std::vector<double> scalar_scores();
    /// Indices of the observations the surrogate is trained on.
    [[nodiscard]] std::vector<std::size_t> model_rows(const std::vector<double>& scores) const;
    /// Draws a neighbour of `center` into `out`: some coordinates moved by about `sigma`
    /// (numeric) or to another level (categorical).
    void perturb(const double* center, double sigma, double* out);
    [[nodiscard]] bool known(const std::string& key) const;

    TpeSettings m_settings;
    detail::SpaceEncoder m_encoder;
    detail::GaussianProcess m_gp;
    std::optional<detail::GaussianProcess::Params> m_params; ///< warm start of the next fit
    std::vector<Point> m_observed;
    std::vector<Point> m_pending; ///< suggested, not registered yet
    std::set<std::string> m_observed_keys;
    std::set<std::string> m_ok_keys;     ///< configs that succeeded at least once
    std::set<std::string> m_failed_keys; ///< configs that failed and never succeeded
    detail::FeasibilityModel m_feasibility;
    std::vector<double> m_design;
    std::size_t m_design_next = 0;
};

} // namespace mlosbench
