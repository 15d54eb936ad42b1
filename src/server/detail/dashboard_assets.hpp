#pragma once

#include <string>

namespace mlosbench::detail {

/// The dashboard served by `serve`: one page whose script reads the API (/api/v1/...) and
/// polls it while an experiment runs. Compiled in, so nothing is read from the file system.
[[nodiscard]] const std::string& dashboard_html();
[[nodiscard]] const std::string& dashboard_js();
[[nodiscard]] const std::string& dashboard_css();

} // namespace mlosbench::detail
