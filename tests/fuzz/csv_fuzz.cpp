// Fuzz target: the CSV reader and the results and telemetry files read with it.
#include "environments/detail/csv.hpp"
#include "environments/detail/results_csv.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t last_line = 0;
    for (const auto& row : mlosbench::detail::parse_csv(text)) {
        FUZZ_CHECK(row.line > last_line);
        FUZZ_CHECK(!row.fields.empty());
        last_line = row.line;
    }

    mlosbench::Json values;
    const auto error = mlosbench::detail::parse_results_csv(text, "results file 'x'", values);
    FUZZ_CHECK(values.is_object());
    if (error) {
        FUZZ_CHECK(error->rfind("results file 'x' ", 0) == 0);
    } else {
        FUZZ_CHECK(!values.empty());
    }

    std::size_t skipped = 0;
    const auto samples =
        mlosbench::detail::parse_telemetry_csv(text, [&](std::size_t line, const std::string& why) {
            FUZZ_CHECK(line >= 1 && !why.empty());
            ++skipped;
        });
    (void)samples;
    return 0;
}
