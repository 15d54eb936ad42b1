#include "server/detail/dashboard_assets.hpp"

namespace mlosbench::detail {

const std::string& dashboard_html()
{
    static const std::string k_text = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlosbench</title>
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/chart.js"></script>
<script src="/static/dashboard.js"></script>
</head><body><main id="app"></main></body></html>
)html";
    return k_text;
}

const std::string& dashboard_js()
{
    static const std::string k_text = R"js(
)js";
    return k_text;
}

const std::string& dashboard_css()
{
    static const std::string k_text = R"css(
)css";
    return k_text;
}

} // namespace mlosbench::detail
