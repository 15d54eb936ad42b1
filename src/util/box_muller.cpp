#include "mlosbench/util/box_muller.hpp"

#include <cmath>
#include <numbers>

namespace mlosbench {

double box_muller(double u1, double u2)
{
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

} // namespace mlosbench
