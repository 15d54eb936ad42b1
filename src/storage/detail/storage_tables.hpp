#pragma once

#include <string_view>
#include <vector>

namespace mlosbench::detail {

/// A table a storage database may hold, with the columns it has had since it first appeared
/// (mlos_bench's baseline revision, or our version that added it); newer columns may be
/// missing from an older database, which opening for writing adds.
struct KnownTable
{
    std::string_view name;
    std::vector<std::string_view> columns;
    bool ours = false; ///< ours, not mlos_bench's
};

/// mlos_bench's tables and ours: what identifying a database checks, and the only tables
/// deleting an experiment touches.
[[nodiscard]] const std::vector<KnownTable>& known_tables();

/// The KnownTable called `name`; nullptr when it is not one.
[[nodiscard]] const KnownTable* known_table(std::string_view name);

} // namespace mlosbench::detail
