#include "gaussian_process.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

namespace mlosbench::detail {
namespace {

// Not under ThreadSanitizer: the clones' ifunc resolvers run while the program is loaded,
// before its runtime is up, and crash there when instrumented.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_THREAD__)
#define MLOSBENCH_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MLOSBENCH_VECTOR_CLONES
#endif

constexpr double k_sqrt5 = 2.23606797749979;
constexpr double k_log_2pi = 1.8378770664093453;

// Hyperparameter boxes (log scale): length scales in unit-cube coordinates, variances of a
// standardised target.
constexpr double k_min_log_ls = -4.6; // 0.01
constexpr double k_max_log_ls = 4.6;  // 100
constexpr double k_min_log_signal = -4.6;
constexpr double k_max_log_signal = 4.6;
constexpr double k_min_log_noise = -13.8; // 1e-6
constexpr double k_max_log_noise = 0.0;

// A numeric coordinate left inactive by a special value (NaN) is placed at the centre of the
// range: the kernel needs a point of a real space to stay positive definite (ignoring the
// coordinate instead breaks the triangle inequality), and the switch coordinate beside it
// already tells specials from the range.
inline double inactive_to_centre(double v) { return v == v ? v : 0.5; }

// Matern 5/2 as a function of the squared scaled distance; `dk` gets dk/d(r2).
inline double matern52(double r2, double signal, double* dk)
{
    const double s = k_sqrt5 * std::sqrt(r2);
    const double e = std::exp(-s);
    if (dk != nullptr) {
        *dk = -signal * (5.0 / 6.0) * (1.0 + s) * e;
    }
    return signal * (1.0 + s + s * s / 3.0) * e;
}

// In-place lower Cholesky factor of the n x n row-major matrix `a` (lower triangle read).
bool cholesky(std::vector<double>& a, std::size_t n)
{
    for (std::size_t j = 0; j < n; ++j) {
        double* rj = &a[j * n];
        double s0 = 0;
        double s1 = 0;
        std::size_t k = 0;
        for (; k + 1 < j; k += 2) {
            s0 += rj[k] * rj[k];
            s1 += rj[k + 1] * rj[k + 1];
        }
        for (; k < j; ++k) {
            s0 += rj[k] * rj[k];
        }
        const double diag = rj[j] - s0 - s1;
        if (!(diag > 0)) {
            return false;
        }
        const double ljj = std::sqrt(diag);
        rj[j] = ljj;
        const double inv = 1.0 / ljj;
        for (std::size_t i = j + 1; i < n; ++i) {
            double* ri = &a[i * n];
            double t0 = 0;
            double t1 = 0;
            double t2 = 0;
            double t3 = 0;
            k = 0;
            for (; k + 3 < j; k += 4) {
                t0 += ri[k] * rj[k];
                t1 += ri[k + 1] * rj[k + 1];
                t2 += ri[k + 2] * rj[k + 2];
                t3 += ri[k + 3] * rj[k + 3];
            }
            for (; k < j; ++k) {
                t0 += ri[k] * rj[k];
            }
            ri[j] = (ri[j] - ((t0 + t1) + (t2 + t3))) * inv;
        }
    }
    return true;
}

// out[c] -= sum_{j < count} coef[j] * rows[j * stride + c] for c < width (default stride),
// four rows at a time so that `out` is loaded and stored once per four rows. Where the
// compiler can, an AVX2 version is chosen at run time (same results: no reordering).
MLOSBENCH_VECTOR_CLONES
void subtract_combination(const double* coef,
                          const double* rows,
                          std::size_t stride,
                          std::size_t count,
                          double* out,
                          std::size_t last = SIZE_MAX)
{
    const std::size_t width = last == SIZE_MAX ? stride : last + 1;
    std::size_t j = 0;
    for (; j + 4 <= count; j += 4) {
        const double a0 = coef[j];
        const double a1 = coef[j + 1];
        const double a2 = coef[j + 2];
        const double a3 = coef[j + 3];
        const double* r0 = rows + j * stride;
        const double* r1 = r0 + stride;
        const double* r2 = r1 + stride;
        const double* r3 = r2 + stride;
        for (std::size_t c = 0; c < width; ++c) {
            out[c] -= (a0 * r0[c] + a1 * r1[c]) + (a2 * r2[c] + a3 * r3[c]);
        }
    }
    for (; j < count; ++j) {
        const double a = coef[j];
        const double* r = rows + j * stride;
        for (std::size_t c = 0; c < width; ++c) {
            out[c] -= a * r[c];
        }
    }
}

// Solves L z = b in place.
void forward(const std::vector<double>& l, std::size_t n, double* b)
{
    for (std::size_t i = 0; i < n; ++i) {
        const double* ri = &l[i * n];
        double s = 0;
        for (std::size_t k = 0; k < i; ++k) {
            s += ri[k] * b[k];
        }
        b[i] = (b[i] - s) / ri[i];
    }
}

// Solves L^T z = b in place.
void backward(const std::vector<double>& l, std::size_t n, double* b)
{
    for (std::size_t i = n; i-- > 0;) {
        b[i] /= l[i * n + i];
        const double bi = b[i];
        const double* ri = &l[i * n];
        for (std::size_t k = 0; k < i; ++k) {
            b[k] -= ri[k] * bi;
        }
    }
}

// A lower factor of the kernel matrix `k`, with jitter added until it factorises.
bool factorize(std::vector<double>& k, std::size_t n, double signal, std::vector<double>& copy)
{
    copy = k;
    double jitter = 1e-8 * signal;
    for (int attempt = 0; attempt < 6; ++attempt) {
        if (cholesky(k, n)) {
            return true;
        }
        k = copy;
        for (std::size_t i = 0; i < n; ++i) {
            k[i * n + i] += jitter;
        }
        jitter *= 10;
    }
    return false;
}

// The unpacked parameter vector: lengthscales, signal, noise.
std::vector<double> pack(const GaussianProcess::Params& p)
{
    std::vector<double> v = p.log_lengthscales;
    v.push_back(p.log_signal);
    v.push_back(p.log_noise);
    return v;
}

void unpack(const std::vector<double>& v, GaussianProcess::Params& p)
{
    const std::size_t d = v.size() - 2;
    p.log_lengthscales.assign(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(d));
    p.log_signal = v[d];
    p.log_noise = v[d + 1];
}

void clamp_params(std::vector<double>& v)
{
    const std::size_t d = v.size() - 2;
    for (std::size_t i = 0; i < d; ++i) {
        v[i] = std::clamp(v[i], k_min_log_ls, k_max_log_ls);
    }
    v[d] = std::clamp(v[d], k_min_log_signal, k_max_log_signal);
    v[d + 1] = std::clamp(v[d + 1], k_min_log_noise, k_max_log_noise);
}

double dot(const std::vector<double>& a, const std::vector<double>& b)
{
    return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

} // namespace

GaussianProcess::GaussianProcess(std::vector<bool> categorical)
    : GaussianProcess(std::move(categorical), Priors{})
{
}

GaussianProcess::GaussianProcess(std::vector<bool> categorical, Priors priors)
    : m_categorical(std::move(categorical)), m_priors(priors)
{
    for (std::size_t d = 0; d < m_categorical.size(); ++d) {
        (m_categorical[d] ? m_categorical_dims : m_numeric_dims).push_back(d);
    }
}

GaussianProcess::Params GaussianProcess::default_params() const
{
    Params p;
    const double ls = m_priors.lengthscale_mean + 0.5 * std::log(static_cast<double>(dims()));
    p.log_lengthscales.assign(dims(), ls);
    p.log_signal = m_priors.signal_mean;
    p.log_noise = m_priors.noise_mean;
    return p;
}

void GaussianProcess::set_data(std::vector<double> x, std::vector<double> y)
{
    m_x = std::move(x);
    for (double& v : m_x) {
        v = inactive_to_centre(v);
    }
    m_y = std::move(y);
}

const GaussianProcess::Pairs& GaussianProcess::pairs_of(const std::vector<std::size_t>& rows) const
{
    const std::size_t dim = dims();
    Pairs& p = m_pairs; // reused: no allocation per fit
    p.n = rows.empty() ? m_y.size() : rows.size();
    const auto row = [&](std::size_t i) { return rows.empty() ? i : rows[i]; };
    p.y.resize(p.n);
    for (std::size_t i = 0; i < p.n; ++i) {
        p.y[i] = m_y[row(i)];
    }
    p.count = p.n * (p.n - 1) / 2;
    p.delta2.resize(dim * p.count);
    for (std::size_t d = 0; d < dim; ++d) {
        // data(), not [0]: with one row there are no pairs and the vector is empty.
        double* out = p.delta2.data() + d * p.count;
        std::size_t k = 0;
        for (std::size_t i = 0; i < p.n; ++i) {
            const double xi = m_x[row(i) * dim + d];
            for (std::size_t j = 0; j < i; ++j, ++k) {
                const double xj = m_x[row(j) * dim + d];
                if (m_categorical[d]) {
                    out[k] = xi != xj ? 1.0 : 0.0;
                } else {
                    out[k] = (xi - xj) * (xi - xj);
                }
            }
        }
    }
    return p;
}

double GaussianProcess::objective(const Params& params,
                                  const std::vector<std::size_t>& rows,
                                  std::vector<double>* gradient) const
{
    return objective(params, pairs_of(rows), gradient);
}

double GaussianProcess::objective(const Params& params,
                                  const Pairs& pairs,
                                  std::vector<double>* gradient) const
{
    const std::size_t dim = dims();
    const std::size_t n = pairs.n;
    const std::size_t count = n * (n - 1) / 2;
    const double signal = std::exp(params.log_signal);
    const double noise = std::exp(params.log_noise);

    // Scaled squared distances, then kernel values, of every pair i > j.
    Scratch& s = m_scratch;
    std::vector<double>& r2 = s.r2;
    r2.assign(count, 0.0);
    for (std::size_t d = 0; d < dim; ++d) {
        const double w = std::exp(-2.0 * params.log_lengthscales[d]);
        const double* delta2 = pairs.delta2.data() + d * count; // empty for one row
        for (std::size_t k = 0; k < count; ++k) {
            r2[k] += w * delta2[k];
        }
    }
    std::vector<double>& dk = s.dk;
    dk.resize(gradient != nullptr ? count : 0);
    std::vector<double>& kv = s.kv;
    kv.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
        kv[k] = matern52(r2[k], signal, gradient != nullptr ? &dk[k] : nullptr);
    }
    std::vector<double>& l = s.l;
    l.assign(n * n, 0.0);
    for (std::size_t i = 0, k = 0; i < n; ++i) {
        for (std::size_t j = 0; j < i; ++j, ++k) {
            l[i * n + j] = kv[k];
        }
        l[i * n + i] = signal + noise;
    }
    if (!factorize(l, n, signal, s.copy)) {
        return std::numeric_limits<double>::infinity();
    }
    std::vector<double>& alpha = s.alpha;
    alpha = pairs.y;
    forward(l, n, alpha.data());
    double nll = 0.5 * dot(alpha, alpha);
    backward(l, n, alpha.data());
    for (std::size_t i = 0; i < n; ++i) {
        nll += std::log(l[i * n + i]);
    }
    nll += 0.5 * static_cast<double>(n) * k_log_2pi;

    // Priors: independent normals on the log parameters.
    const double ls_mean = m_priors.lengthscale_mean + 0.5 * std::log(static_cast<double>(dim));
    const double ls_var = m_priors.lengthscale_sd * m_priors.lengthscale_sd;
    for (std::size_t d = 0; d < dim; ++d) {
        const double z = params.log_lengthscales[d] - ls_mean;
        nll += 0.5 * z * z / ls_var;
    }
    const double zs = params.log_signal - m_priors.signal_mean;
    nll += 0.5 * zs * zs / (m_priors.signal_sd * m_priors.signal_sd);
    const double zn = params.log_noise - m_priors.noise_mean;
    nll += 0.5 * zn * zn / (m_priors.noise_sd * m_priors.noise_sd);
    if (gradient == nullptr) {
        return nll;
    }

    // d nll / d theta = -1/2 tr(W dK/dtheta), W = alpha alpha^T - K^-1, K^-1 = L^-T L^-1.
    // Rows of L^-1 (zero above the diagonal): row i = (e_i - sum_q<i L_iq row q) / L_ii.
    std::vector<double>& linv = s.linv;
    linv.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        double* out = &linv[i * n];
        const double* li = &l[i * n];
        out[i] = 1.0;
        subtract_combination(li, linv.data(), n, i, out, i);
        const double inv = 1.0 / li[i];
        for (std::size_t c = 0; c <= i; ++c) {
            out[c] *= inv;
        }
    }
    // K^-1 = L^-T L^-1: row i of its lower triangle is sum_{q >= i} L^-1_qi (row q of L^-1).
    std::vector<double>& kinv = s.kinv;
    kinv.assign(n * n, 0.0);
    std::vector<double>& column = s.row;
    column.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t q = i; q < n; ++q) {
            column[q - i] = -linv[q * n + i];
        }
        subtract_combination(column.data(), linv.data() + i * n, n, n - i, &kinv[i * n], i);
    }
    gradient->assign(dim + 2, 0.0);
    std::vector<double>& g = *gradient;
    double trace_w = 0;
    double signal_term = 0;
    std::vector<double>& coef = s.coef;
    coef.resize(count);
    for (std::size_t i = 0, k = 0; i < n; ++i) {
        const double wii = alpha[i] * alpha[i] - kinv[i * n + i];
        trace_w += wii;
        signal_term += wii * signal;
        for (std::size_t j = 0; j < i; ++j, ++k) {
            const double wij = alpha[i] * alpha[j] - kinv[i * n + j];
            signal_term += 2.0 * wij * kv[k];
            coef[k] = 2.0 * wij * dk[k];
        }
    }
    for (std::size_t d = 0; d < dim; ++d) {
        const double w = std::exp(-2.0 * params.log_lengthscales[d]);
        const double* delta2 = pairs.delta2.data() + d * count; // empty for one row
        double s0 = 0;
        double s1 = 0;
        std::size_t k = 0;
        for (; k + 1 < count; k += 2) {
            s0 += coef[k] * delta2[k];
            s1 += coef[k + 1] * delta2[k + 1];
        }
        for (; k < count; ++k) {
            s0 += coef[k] * delta2[k];
        }
        g[d] = w * (s0 + s1) + (params.log_lengthscales[d] - ls_mean) / ls_var;
    }
    g[dim] = -0.5 * signal_term + zs / (m_priors.signal_sd * m_priors.signal_sd);
    g[dim + 1] = -0.5 * noise * trace_w + zn / (m_priors.noise_sd * m_priors.noise_sd);
    return nll;
}

void GaussianProcess::fit(Params& params, int max_evals, const std::vector<std::size_t>& rows) const
{
    // L-BFGS with a backtracking line search, projected onto the parameter box.
    constexpr std::size_t k_memory = 6;
    std::vector<double> x = pack(params);
    clamp_params(x);
    const std::size_t np = x.size();
    Params p = params;
    std::vector<double> g;
    unpack(x, p);
    const Pairs& pairs = pairs_of(rows);
    double f = objective(p, pairs, &g);
    int evals = 1;
    if (!std::isfinite(f)) {
        return;
    }
    std::vector<std::vector<double>> s_hist;
    std::vector<std::vector<double>> y_hist;
    std::vector<double> rho_hist;
    while (evals < max_evals) {
        // Two-loop recursion: d = -H g.
        std::vector<double> d(g);
        std::vector<double> a(s_hist.size());
        for (std::size_t i = s_hist.size(); i-- > 0;) {
            a[i] = rho_hist[i] * dot(s_hist[i], d);
            for (std::size_t c = 0; c < np; ++c) {
                d[c] -= a[i] * y_hist[i][c];
            }
        }
        if (!s_hist.empty()) {
            const double gamma =
                dot(s_hist.back(), y_hist.back()) / dot(y_hist.back(), y_hist.back());
            for (double& v : d) {
                v *= gamma;
            }
        } else {
            const double gmax = std::abs(*std::max_element(
                g.begin(), g.end(), [](double u, double v) { return std::abs(u) < std::abs(v); }));
            if (gmax < 1e-6) {
                break;
            }
            for (double& v : d) {
                v /= std::max(1.0, gmax); // first step: at most 1 in any log parameter
            }
        }
        for (std::size_t i = 0; i < s_hist.size(); ++i) {
            const double b = rho_hist[i] * dot(y_hist[i], d);
            for (std::size_t c = 0; c < np; ++c) {
                d[c] += s_hist[i][c] * (a[i] - b);
            }
        }
        for (double& v : d) {
            v = -v;
        }
        if (dot(d, g) >= 0) { // not a descent direction: restart from steepest descent
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
            d = g;
            for (double& v : d) {
                v = -v / std::max(1.0, std::sqrt(dot(g, g)));
            }
        }
        double step = 1.0;
        bool accepted = false;
        std::vector<double> x_new(np);
        std::vector<double> g_new;
        double f_new = 0;
        while (evals < max_evals) {
            for (std::size_t c = 0; c < np; ++c) {
                x_new[c] = x[c] + step * d[c];
            }
            clamp_params(x_new);
            unpack(x_new, p);
            f_new = objective(p, pairs, &g_new);
            ++evals;
            double decrease = 0;
            for (std::size_t c = 0; c < np; ++c) {
                decrease += g[c] * (x_new[c] - x[c]);
            }
            if (std::isfinite(f_new) && f_new <= f + 1e-4 * decrease) {
                accepted = true;
                break;
            }
            step *= 0.3;
        }
        if (!accepted) {
            break;
        }
        std::vector<double> s(np);
        std::vector<double> y(np);
        for (std::size_t c = 0; c < np; ++c) {
            s[c] = x_new[c] - x[c];
            y[c] = g_new[c] - g[c];
        }
        const double sy = dot(s, y);
        if (sy > 1e-10) {
            if (s_hist.size() == k_memory) {
                s_hist.erase(s_hist.begin());
                y_hist.erase(y_hist.begin());
                rho_hist.erase(rho_hist.begin());
            }
            s_hist.push_back(std::move(s));
            y_hist.push_back(std::move(y));
            rho_hist.push_back(1.0 / sy);
        }
        const bool small = f - f_new < 1e-7 * std::max(1.0, std::abs(f));
        x = x_new;
        g = g_new;
        f = f_new;
        if (small) {
            break;
        }
    }
    unpack(x, params);
}

bool GaussianProcess::condition(const Params& params)
{
    const std::size_t dim = dims();
    const std::size_t n = m_y.size();
    m_params = params;
    m_weights.resize(dim);
    for (std::size_t d = 0; d < dim; ++d) {
        m_weights[d] = std::exp(-2.0 * params.log_lengthscales[d]);
    }
    m_signal = std::exp(params.log_signal);
    const double noise = std::exp(params.log_noise);
    // The training points coordinate by coordinate, to reuse kernel_row().
    std::vector<double>& cols = m_scratch.cols;
    cols.resize(dim * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t d = 0; d < dim; ++d) {
            cols[d * n + i] = m_x[i * dim + d];
        }
    }
    m_chol.assign(n * n, 0.0);
    std::vector<double>& row = m_scratch.row;
    row.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        kernel_row(i, cols.data(), n, i, row.data());
        std::copy(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(i), &m_chol[i * n]);
        m_chol[i * n + i] = m_signal + noise;
    }
    if (!factorize(m_chol, n, m_signal, m_scratch.copy)) {
        return false;
    }
    m_alpha = m_y;
    forward(m_chol, n, m_alpha.data());
    backward(m_chol, n, m_alpha.data());
    return true;
}

void GaussianProcess::kernel_row(
    std::size_t row, const double* cols, std::size_t stride, std::size_t m, double* out) const
{
    const double* xi = &m_x[row * dims()];
    std::fill(out, out + m, 0.0);
    for (std::size_t d : m_numeric_dims) {
        const double a = xi[d];
        const double w = m_weights[d];
        const double* col = cols + d * stride;
        for (std::size_t c = 0; c < m; ++c) {
            const double diff = a - col[c];
            out[c] += w * diff * diff;
        }
    }
    for (std::size_t d : m_categorical_dims) {
        const double a = xi[d];
        const double w = m_weights[d];
        const double* col = cols + d * stride;
        for (std::size_t c = 0; c < m; ++c) {
            out[c] += col[c] != a ? w : 0.0;
        }
    }
    for (std::size_t c = 0; c < m; ++c) {
        out[c] = matern52(out[c], m_signal, nullptr);
    }
}

void GaussianProcess::predict(const double* points,
                              std::size_t m,
                              double* mean,
                              double* variance) const
{
    // Blocks of candidates small enough for the solve below to stay in cache.
    constexpr std::size_t k_block = 64;
    const std::size_t dim = dims();
    const std::size_t n = m_y.size();
    std::vector<double>& cols = m_scratch.cols;
    cols.resize(dim * k_block);
    std::vector<double>& ks = m_scratch.ks; // row i: k(x_i, block), then (L^-1 k) row i
    ks.resize(n * k_block);
    for (std::size_t start = 0; start < m; start += k_block) {
        const std::size_t b = std::min(k_block, m - start);
        for (std::size_t c = 0; c < b; ++c) {
            for (std::size_t d = 0; d < dim; ++d) {
                cols[d * b + c] = inactive_to_centre(points[(start + c) * dim + d]);
            }
        }
        double* mu = mean + start;
        double* var = variance + start;
        std::fill(mu, mu + b, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            double* ki = &ks[i * b];
            kernel_row(i, cols.data(), b, b, ki);
            const double a = m_alpha[i];
            for (std::size_t c = 0; c < b; ++c) {
                mu[c] += a * ki[c];
            }
        }
        std::fill(var, var + b, m_signal);
        for (std::size_t i = 0; i < n; ++i) {
            const double* li = &m_chol[i * n];
            double* vi = &ks[i * b];
            subtract_combination(li, ks.data(), b, i, vi);
            const double inv = 1.0 / li[i];
            for (std::size_t c = 0; c < b; ++c) {
                vi[c] *= inv;
                var[c] -= vi[c] * vi[c];
            }
        }
        for (std::size_t c = 0; c < b; ++c) {
            var[c] = std::max(var[c], 1e-12 * m_signal);
        }
    }
}

double log_expected_improvement(double mean, double sd, double best)
{
    // EI = sd * h(z), h(z) = phi(z) + z Phi(z), z = (best - mean) / sd; log h computed without
    // cancellation for very negative z (asymptotic series of the Mills ratio).
    const double z = (best - mean) / sd;
    double log_h = 0;
    if (z > -6.0) {
        const double phi = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
        const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
        log_h = std::log(std::max(phi + z * cdf, 1e-300));
    } else {
        const double z2 = z * z;
        // h(z) ~ phi(z) / z^2 * (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8)
        const double series = 1.0 - 3.0 / z2 + 15.0 / (z2 * z2) - 105.0 / (z2 * z2 * z2) +
                              945.0 / (z2 * z2 * z2 * z2);
        log_h = -0.5 * z2 - 0.5 * std::log(2.0 * M_PI) - std::log(z2) + std::log(series);
    }
    return std::log(sd) + log_h;
}

} // namespace mlosbench::detail
