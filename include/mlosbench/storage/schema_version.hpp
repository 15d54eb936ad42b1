#pragma once

namespace mlosbench {

/// The version of our tables and columns this build writes, on every backend (SQLite keeps
/// it in `PRAGMA user_version`, PostgreSQL in the table `mlosbench_schema`). 0 is a database
/// made by mlos_bench or an empty one; opening upgrades it.
inline constexpr int k_schema_version = 5;

} // namespace mlosbench
