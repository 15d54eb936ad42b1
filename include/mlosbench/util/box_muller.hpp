#pragma once

namespace mlosbench {

/// A standard normal number made of two uniform ones by the Box-Muller transform:
/// sqrt(-2 ln u1) * cos(2 pi u2). `u1` must be in (0, 1] (ln 0 is not finite), `u2` in [0, 1].
/// The same bits on every platform for the same inputs, so seeded draws can be compared.
[[nodiscard]] double box_muller(double u1, double u2);

} // namespace mlosbench
