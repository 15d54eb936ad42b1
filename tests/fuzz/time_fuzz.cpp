// Fuzz target: the timestamp parser. What parses as UTC formats (both forms) to text that
// parses back to the same time, for the years the formats can write (0000-9999).
#include "fuzz_check.hpp"
#include "mlosbench/util/time.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

bool four_digit_year(const std::string& text)
{
    return text.size() > 4 && text[4] == '-' &&
           std::isdigit(static_cast<unsigned char>(text[0])) != 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)mlosbench::parse_timestamp(text, /*naive_is_local=*/true);
    const auto time = mlosbench::parse_timestamp(text);
    if (!time) {
        return 0;
    }
    for (const std::string& formatted :
         {mlosbench::format_timestamp(*time), mlosbench::format_iso8601(*time)}) {
        if (!four_digit_year(formatted)) {
            continue;
        }
        const auto again = mlosbench::parse_timestamp(formatted);
        FUZZ_CHECK(again && *again == *time);
    }
    return 0;
}
