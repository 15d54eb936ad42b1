#pragma once

#include "mlosbench/storage/storage.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "mlosbench/util/json.hpp"

#include <set>
#include <string>
#include <vector>

// How a resuming run differs from the experiment it resumes: pure functions of what is stored
// and what is given, one phrase per difference (joined with "; " into the resume error or
// warning), so that every storage backend refuses a changed experiment with the same words.
namespace mlosbench {

/// Differences between two tunable-params documents (TunableGroups::definitions_json): the
/// stored one and the resuming run's. Tunables and groups compare whatever their order:
/// "tunable 'x' is new", "... is gone", "tunable 'x' moved from group 'a' to 'b'",
/// "tunable 'x': KEY was OLD, now NEW" (a missing key is "unset"), "group 'g': cost was OLD,
/// now NEW"; tunables by name, keys by name, then groups by name.
[[nodiscard]] std::vector<std::string> definition_differences(const Json& stored_doc,
                                                              const Json& given_doc);

/// Differences between the parameter names an experiment's configs record (all an experiment
/// made by mlos_bench keeps of its tunables) and the tunables of the resuming run, by name:
/// "tunable 'x' is new" / "... is gone". None when nothing is recorded.
[[nodiscard]] std::vector<std::string> name_differences(const std::set<std::string>& recorded,
                                                        const TunableGroups& tunables);

/// Differences between the stored objectives and those of `spec`: "objective 'x' is new",
/// "objective 'x': direction was min, now max" (by name), then "objective 'x' is gone".
[[nodiscard]] std::vector<std::string> objective_differences(const std::vector<Objective>& stored,
                                                             const ExperimentSpec& spec);

} // namespace mlosbench
