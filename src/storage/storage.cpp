#include "mlosbench/storage/storage.hpp"

#include "mlosbench/util/error.hpp"

namespace mlosbench {

std::unique_ptr<ExperimentStorage> Storage::attach_experiment(const std::string& experiment_id)
{
    throw Error("cannot attach to experiment '" + experiment_id + "' in " + location() +
                ": not supported by this storage");
}

DeletedRows Storage::delete_experiment(const std::string& experiment_id, bool /*dry_run*/)
{
    throw Error("cannot delete experiment '" + experiment_id + "' in " + location() +
                ": not supported by this storage");
}

} // namespace mlosbench
