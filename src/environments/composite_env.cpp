#include "mlosbench/environments/composite_env.hpp"

#include "environments/detail/script_support.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

namespace mlosbench {
namespace {

// Names the child that failed, once: a nested composite already named the leaf.
PhaseResult from_child(PhaseResult result, const Environment& child)
{
    constexpr std::string_view k_prefix = "environment '";
    if (!result.reason.empty() && result.reason.rfind(k_prefix, 0) != 0) {
        result.reason = std::string(k_prefix) + child.name() + "': " + result.reason;
    }
    return result;
}

void append_output(PhaseResult& to, const PhaseResult& from)
{
    to.stdout_tail += from.stdout_tail;
    to.stderr_tail += from.stderr_tail;
}

} // namespace

CompositeEnv::CompositeEnv(const EnvironmentSpec& spec, const RunnerContext& runner)
    : Environment(spec, runner)
{
    for (const auto& child : spec.children) {
        m_children.push_back(Environment::create(child, runner));
    }
}

PhaseResult CompositeEnv::do_setup()
{
    PhaseResult result = detail::make_result(Status::ready);
    for (const auto& child : m_children) {
        PhaseResult step = child->setup(m_trial);
        append_output(result, step);
        if (step.status != Status::ready) {
            step.stdout_tail = std::move(result.stdout_tail);
            step.stderr_tail = std::move(result.stderr_tail);
            return from_child(std::move(step), *child);
        }
    }
    return result;
}

PhaseResult CompositeEnv::do_run()
{
    PhaseResult result = detail::make_result(Status::succeeded);
    for (const auto& child : m_children) {
        PhaseResult step = child->run();
        append_output(result, step);
        if (!is_good(step.status)) {
            step.results = Json::object();
            step.stdout_tail = std::move(result.stdout_tail);
            step.stderr_tail = std::move(result.stderr_tail);
            return from_child(std::move(step), *child);
        }
        merge_object(result.results, step.results); // later children win
        if (!step.results_source.empty()) {
            result.results_source +=
                (result.results_source.empty() ? "" : " and ") + step.results_source;
        }
        result.status = step.status;
        result.time = step.time;
    }
    return result;
}

PhaseResult CompositeEnv::do_status()
{
    if (m_children.empty()) {
        return detail::make_result(Status::ready);
    }
    PhaseResult result = detail::make_result(Status::unknown);
    std::optional<PhaseResult> first_bad;
    for (const auto& child : m_children) {
        PhaseResult step = child->status();
        result.telemetry.insert(result.telemetry.end(),
                                std::make_move_iterator(step.telemetry.begin()),
                                std::make_move_iterator(step.telemetry.end()));
        if (!first_bad && !is_good(step.status)) {
            first_bad = from_child(step, *child);
        }
        result.status = step.status;
        result.time = step.time;
    }
    if (first_bad) {
        result.status = first_bad->status;
        result.time = first_bad->time;
        result.reason = first_bad->reason;
    }
    return result;
}

void CompositeEnv::do_end_trial()
{
    for (const auto& child : m_children) {
        child->end_trial();
    }
}

void CompositeEnv::do_teardown()
{
    std::for_each(m_children.rbegin(), m_children.rend(),
                  [](const auto& child) { child->teardown(); });
}

} // namespace mlosbench
