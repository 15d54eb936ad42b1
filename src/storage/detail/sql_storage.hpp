#pragma once

#include "mlosbench/storage/storage.hpp"
#include "shared_connection.hpp"

#include <memory>

namespace mlosbench::detail {

/// The Storage of `connection`'s database (its schema already current): opening (create or
/// resume, registering the worker), attaching (post-metric) and deleting experiments, the
/// same on every backend.
[[nodiscard]] std::unique_ptr<Storage>
make_sql_storage(std::shared_ptr<SharedConnection> connection);

} // namespace mlosbench::detail
