#include "mlosbench/schedulers/run_verdict.hpp"

#include <spdlog/fmt/fmt.h>

namespace mlosbench {

Verdict judge(const std::map<Status, std::int64_t>& counts,
              double max_failed_share,
              bool interrupted,
              const Verdict& early_stop)
{
    if (interrupted) {
        return {Outcome::interrupted, early_stop.failure};
    }
    if (early_stop.outcome != Outcome::ok) {
        return early_stop;
    }
    if (!early_stop.failure.empty()) {
        return {Outcome::failed, early_stop.failure};
    }
    const auto count = [&](Status status) {
        const auto it = counts.find(status);
        return it == counts.end() ? std::int64_t{0} : it->second;
    };
    std::int64_t trials = 0;
    for (const auto& [status, n] : counts) {
        trials += n;
    }
    const std::int64_t failed = count(Status::failed) + count(Status::timed_out);
    if (trials == 0) {
        return {Outcome::failed, "no trial ran"};
    }
    if (count(Status::succeeded) == 0) {
        return {Outcome::failed, "no trial succeeded"};
    }
    if (static_cast<double>(failed) > max_failed_share * static_cast<double>(trials)) {
        return {Outcome::failed,
                fmt::format("{} of {} trials failed, more than --max-failed-share {}", failed,
                            trials, max_failed_share)};
    }
    return {};
}

} // namespace mlosbench
