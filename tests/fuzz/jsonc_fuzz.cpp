// Fuzz target: the JSONC parser. Any input either parses or throws ConfigError; what parses
// dumps as JSON that parses back to the same document.
#include "fuzz_check.hpp"
#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    mlosbench::Json doc;
    try {
        doc = mlosbench::parse_jsonc(text, "fuzz.jsonc");
    } catch (const mlosbench::ConfigError& e) {
        const std::string what = e.what();
        FUZZ_CHECK(what.rfind("fuzz.jsonc:", 0) == 0); // the origin and a position come first
        return 0;
    }
    std::string dumped;
    try {
        dumped = doc.dump(); // strict: strings that are not UTF-8 cannot round-trip
    } catch (const mlosbench::Json::type_error&) {
        return 0;
    }
    const mlosbench::Json again = mlosbench::parse_jsonc(dumped, "dumped");
    FUZZ_CHECK(again == doc);
    return 0;
}
