// Fuzz target: loading a config text through ConfigLoader (JSONC, then the JSON Schema of the
// kind it declares, else of every kind), and a tunable-params document into TunableGroups.
// Only ConfigError is an expected outcome.
#include "mlosbench/config/config_loader.hpp"
#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/config/schema_validator.hpp"
#include "mlosbench/tunables/tunable_groups.hpp"
#include "mlosbench/util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace {

constexpr mlosbench::ConfigKind k_kinds[] = {
    mlosbench::ConfigKind::cli,
    mlosbench::ConfigKind::globals,
    mlosbench::ConfigKind::environment,
    mlosbench::ConfigKind::service,
    mlosbench::ConfigKind::optimizer,
    mlosbench::ConfigKind::scheduler,
    mlosbench::ConfigKind::storage,
    mlosbench::ConfigKind::tunable_params,
    mlosbench::ConfigKind::tunable_values,
};

void load(const mlosbench::ConfigLoader& loader,
          const std::string& text,
          mlosbench::ConfigKind kind)
{
    try {
        const auto loaded = loader.load(text, kind, {"fuzz.jsonc", "/config", {}});
        if (kind == mlosbench::ConfigKind::tunable_params) {
            mlosbench::TunableGroups groups;
            groups.add_from_json(loaded.doc, loaded.origin);
            (void)groups.definitions_json();
            (void)groups.canonical_text(groups.defaults());
        }
    } catch (const mlosbench::ConfigError&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    // Without '{' or '[' the loader takes the text for a path: nothing to fuzz there.
    if (text.find_first_of("{[") == std::string::npos) {
        return 0;
    }
    static const mlosbench::ConfigLoader loader({});
    std::optional<mlosbench::ConfigKind> kind;
    try {
        kind = mlosbench::detect_kind(mlosbench::parse_jsonc(text, "fuzz.jsonc"));
    } catch (const mlosbench::ConfigError&) {
        return 0;
    }
    if (kind) {
        load(loader, text, *kind);
    } else {
        for (const auto k : k_kinds) {
            load(loader, text, k);
        }
    }
    return 0;
}
