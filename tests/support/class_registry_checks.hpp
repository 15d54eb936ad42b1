#pragma once

#include "mlosbench/config/class_names.hpp"

#include <gtest/gtest.h>

#include <map>
#include <span>
#include <string>
#include <vector>

namespace mlosbench::testing {

/// Short name -> mlos_bench spellings, of a class registry (rows with `short_name` and
/// `mlos_names`).
template <typename Row>
std::map<std::string, std::vector<std::string>> registry_names(std::span<const Row> rows)
{
    std::map<std::string, std::vector<std::string>> out;
    for (const Row& row : rows) {
        auto& names = out[std::string(row.short_name)];
        EXPECT_TRUE(names.empty()) << "two rows for " << row.short_name;
        names.assign(row.mlos_names.begin(), row.mlos_names.end());
    }
    return out;
}

/// Short name -> mlos_bench spellings, as the schema of `kind` lists them (class_names.hpp).
inline std::map<std::string, std::vector<std::string>> schema_names(ConfigKind kind)
{
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& short_name : short_class_names(kind)) {
        out[short_name];
    }
    for (const auto& name : all_class_names(kind)) {
        const auto short_name = canonical_class_name(kind, name);
        EXPECT_TRUE(short_name) << name;
        if (short_name && *short_name != name) {
            out[*short_name].push_back(name);
        }
    }
    return out;
}

/// Every spelling of every row finds that row with `find`, and the registry lists exactly
/// the classes (and spellings, in order) of the `class` enum of the schema of `kind`.
template <typename Row, typename Find>
void expect_registry_matches_schema(std::span<const Row> rows, ConfigKind kind, Find find)
{
    for (const Row& row : rows) {
        EXPECT_EQ(find(row.short_name), &row) << row.short_name;
        EXPECT_FALSE(row.description.empty()) << row.short_name << " has no description";
        for (const auto name : row.mlos_names) {
            EXPECT_EQ(find(name), &row) << name;
        }
    }
    EXPECT_EQ(registry_names(rows), schema_names(kind));
}

} // namespace mlosbench::testing
