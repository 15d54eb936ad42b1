#pragma once

#include "mlosbench/config/status.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace mlosbench {

/// How a run ended, for its exit code (apps/ maps it: 0, 1, 2, 130).
enum class Outcome {
    ok,          ///< trials ran, enough of them succeeded
    failed,      ///< no usable score, too many failures, or a fault of storage or the machine
    usage_error, ///< a config fault found while running (an environment that cannot be built)
    interrupted, ///< SIGINT or SIGTERM
};

/// An outcome and, unless it is `ok`, why ("no trial succeeded").
struct Verdict
{
    Outcome outcome = Outcome::ok;
    std::string failure;
};

/// The verdict on a run: `counts` holds the trials it finished by final status;
/// `early_stop` says why it stopped before the optimizer was done, if it did (a fault, or
/// --max-consecutive-failures; `failure` empty otherwise). In order: an interrupt wins, then
/// a fault, then the early stop, then "no trial ran", "no trial succeeded" and more failed
/// trials than `max_failed_share` of them (FAILED and TIMED_OUT count as failed).
[[nodiscard]] Verdict judge(const std::map<Status, std::int64_t>& counts,
                            double max_failed_share,
                            bool interrupted,
                            const Verdict& early_stop);

} // namespace mlosbench
