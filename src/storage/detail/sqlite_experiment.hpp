#pragma once

#include "mlosbench/storage/storage.hpp"
#include "mlosbench/tunables/tunable.hpp"
#include "sqlite_connection.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace mlosbench::detail {

/// The ExperimentStorage of experiment `experiment_id` in `connection`'s file, which it shares
/// (and keeps open) with the storage it came from. `resumed` is what resumed() tells;
/// `next_trial_id` the id new_trial gives first; `types` type the tunable values read back
/// (a tunable missing from it reads back as a number when its text is one, else as text).
[[nodiscard]] std::unique_ptr<ExperimentStorage>
make_sqlite_experiment(std::shared_ptr<SqliteConnection> connection,
                       std::string experiment_id,
                       bool resumed,
                       std::int64_t next_trial_id,
                       std::map<std::string, TunableType> types);

} // namespace mlosbench::detail
