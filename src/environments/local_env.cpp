#include "mlosbench/environments/local_env.hpp"

#include "environments/detail/csv.hpp"
#include "environments/detail/script_support.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/paths.hpp"
#include "mlosbench/util/strings.hpp"

#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>
#include <system_error>

namespace fs = std::filesystem;

namespace mlosbench {
namespace {

std::vector<fs::path> make_search_path(const EnvironmentSpec& spec, const RunnerContext& runner)
{
    std::vector<fs::path> out;
    std::error_code ec;
    if (!spec.file.empty() && fs::is_regular_file(spec.file, ec)) {
        out.push_back(fs::absolute(spec.file, ec).parent_path());
    }
    out.insert(out.end(), runner.search_path.begin(), runner.search_path.end());
    return out;
}

Status status_of(const ExecResult& result)
{
    if (result.timed_out) {
        return Status::timed_out;
    }
    if (result.canceled) {
        return Status::canceled;
    }
    return Status::failed;
}

// A CSV value: empty is null, numbers are numbers, anything else stays text.
Json csv_value(const std::string& field)
{
    const std::string text = trim(field);
    if (text.empty()) {
        return nullptr;
    }
    return parse_scalar_text(text);
}

std::optional<std::string> read_text(const fs::path& path, std::string& text)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return "cannot read '" + path.string() + "'";
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    return std::nullopt;
}

void write_json(const fs::path& path, const Json& value)
{
    if (!path.parent_path().empty()) {
        fs::create_directories(path.parent_path());
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << value.dump(4) << '\n';
    out.close();
    if (!out) {
        throw Error("cannot write '" + path.string() + "'");
    }
}

} // namespace

LocalEnv::LocalEnv(const EnvironmentSpec& spec, const RunnerContext& runner)
    : LocalEnv(spec, runner, std::get<LocalSettings>(spec.settings))
{
}

LocalEnv::LocalEnv(const EnvironmentSpec& spec,
                   const RunnerContext& runner,
                   const LocalSettings& settings)
    : Environment(spec, runner), m_settings(settings),
      m_search_path(make_search_path(spec, runner)),
      m_exec(
          spec.services.local_exec.value_or(LocalExecSettings{}), m_search_path, runner.cancel_fd),
      m_timeout(settings.script.timeout ? settings.script.timeout : m_exec.settings().timeout)
{
    m_pattern = detail::results_pattern(spec, settings.script);
}

std::optional<fs::path> LocalEnv::temp_dir() const
{
    if (!m_temp) {
        return std::nullopt;
    }
    return m_temp->path();
}

std::optional<fs::path> LocalEnv::configured_temp_dir() const
{
    if (!m_settings.temp_dir) {
        return std::nullopt;
    }
    return fs::path(
        expand_home(detail::expand_with_params(*m_settings.temp_dir, m_parameters, std::nullopt)));
}

std::optional<fs::path> LocalEnv::find_local(const fs::path& path) const
{
    std::error_code ec;
    if (path.is_absolute()) {
        return fs::exists(path, ec) ? std::optional<fs::path>(path) : std::nullopt;
    }
    if (m_temp && fs::exists(m_temp->path() / path, ec)) {
        return m_temp->path() / path;
    }
    for (const auto& dir : m_search_path) {
        if (fs::exists(dir / path, ec)) {
            return fs::absolute(dir / path, ec);
        }
    }
    return std::nullopt;
}

PhaseResult LocalEnv::failed(std::string reason) const
{
    spdlog::debug("environment '{}': {}", name(), reason);
    PhaseResult result = detail::make_result(Status::failed);
    result.reason = std::move(reason);
    return result;
}

PhaseResult LocalEnv::setup(const TrialContext& trial)
{
    static_cast<void>(Environment::setup(trial));
    m_ready = false;
    m_torn_down = false;
    PhaseResult result = detail::make_result(Status::ready);
    try {
        m_variables = trial_variables();
        const auto missing = detail::shell_variables(m_settings.script, m_parameters, m_variables);
        if (!missing.empty()) {
            return failed(missing.front() + " of environment '" + name() + "'");
        }
        if (!m_temp) {
            m_temp.emplace(m_exec.temp_dir_context(configured_temp_dir(), m_runner.keep_temp));
        }
        if (auto error = write_dump_files()) {
            return failed(*error);
        }
        if (!m_settings.script.setup.empty()) {
            const ExecResult exec =
                m_exec.execute(m_settings.script.setup, m_variables, m_temp->path(), m_timeout);
            result.stdout_tail = exec.out;
            result.stderr_tail = exec.err;
            if (!exec.ok()) {
                result.status = status_of(exec);
                result.reason = detail::exec_failure("setup", exec, m_timeout);
                result.time = now();
                return result;
            }
        }
    } catch (const std::exception& e) {
        return failed("setup: " + std::string(e.what()));
    }
    m_ready = true;
    result.time = now();
    return result;
}

std::optional<std::string> LocalEnv::write_dump_files() const
{
    const auto target = [&](const std::string& file) {
        const fs::path path(file);
        return path.is_absolute() ? path : m_temp->path() / path;
    };
    try {
        if (m_settings.dump_params_file) {
            Json values = Json::object();
            for (const Tunable* tunable : own_tunables()) {
                values[tunable->name()] = m_parameters.at(tunable->name());
            }
            write_json(target(*m_settings.dump_params_file), values);
        }
        if (m_settings.dump_meta_file) {
            Json meta = Json::object();
            for (const Tunable* tunable : own_tunables()) {
                if (!tunable->meta().empty()) {
                    meta[tunable->name()] = tunable->meta();
                }
            }
            write_json(target(*m_settings.dump_meta_file), meta);
        }
    } catch (const std::exception& e) {
        return "setup: " + std::string(e.what());
    }
    return std::nullopt;
}

PhaseResult LocalEnv::run()
{
    if (!m_ready) {
        return failed("run: environment '" + name() + "' is not set up");
    }
    PhaseResult result = detail::make_result(Status::succeeded);
    try {
        if (!m_settings.script.run.empty()) {
            const ExecResult exec =
                m_exec.execute(m_settings.script.run, m_variables, m_temp->path(), m_timeout);
            result.stdout_tail = exec.out;
            result.stderr_tail = exec.err;
            if (!exec.ok()) {
                result.status = status_of(exec);
                result.reason = detail::exec_failure("run", exec, m_timeout);
                result.time = now();
                return result;
            }
        }
        read_results(result.stdout_tail, result);
    } catch (const std::exception& e) {
        PhaseResult out = failed("run: " + std::string(e.what()));
        out.stdout_tail = std::move(result.stdout_tail);
        out.stderr_tail = std::move(result.stderr_tail);
        return out;
    }
    result.time = now();
    return result;
}

void LocalEnv::read_results(const std::string& stdout_text, PhaseResult& result) const
{
    if (m_pattern) {
        detail::parse_stdout_results(*m_pattern, stdout_text, result.results);
    }
    if (m_settings.read_results_file) {
        read_results_file(result);
    }
}

void LocalEnv::read_results_file(PhaseResult& result) const
{
    const std::string& name = *m_settings.read_results_file;
    const auto fail = [&](const std::string& reason) {
        result.status = Status::failed;
        result.reason = reason;
        result.results = Json::object();
    };
    const auto path = find_local(name);
    if (!path) {
        fail("results file '" + name + "' not found in " + m_temp->path().string() +
             " or the search path");
        return;
    }
    const std::string file = "results file '" + path->string() + "'";
    std::string text;
    if (auto error = read_text(*path, text)) {
        fail(*error);
        return;
    }
    const auto rows = detail::parse_csv(text);
    if (rows.empty()) {
        fail(file + " is empty");
        return;
    }
    std::vector<std::string> header;
    for (const auto& field : rows.front().fields) {
        header.push_back(trim(field));
    }
    if (rows.size() == 1) {
        fail(file + " has a header but no data rows");
        return;
    }
    Json values = Json::object();
    if (header == std::vector<std::string>{"metric", "value"}) {
        // Long form: one metric per row.
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const auto& row = rows[i];
            if (row.fields.size() != 2) {
                fail(file + " line " + std::to_string(row.line) + ": expected 2 fields, got " +
                     std::to_string(row.fields.size()));
                return;
            }
            values[trim(row.fields[0])] = csv_value(row.fields[1]);
        }
    } else {
        // Wide form: metric names in the header, their values in the one row below.
        if (rows.size() > 2) {
            fail(file + " has " + std::to_string(rows.size() - 1) +
                 " data rows: expected the header 'metric,value' and one row per metric, "
                 "or metric names in the header and one row of values");
            return;
        }
        const auto& row = rows[1];
        if (row.fields.size() != header.size()) {
            fail(file + " line " + std::to_string(row.line) + ": expected " +
                 std::to_string(header.size()) + " fields as in the header, got " +
                 std::to_string(row.fields.size()));
            return;
        }
        for (std::size_t i = 0; i < header.size(); ++i) {
            values[header[i]] = csv_value(row.fields[i]);
        }
    }
    // CSV values win over stdout ones (reference 4.3).
    for (const auto& [key, value] : values.items()) {
        result.results[key] = value;
    }
}

PhaseResult LocalEnv::status()
{
    if (!m_ready) {
        return Environment::status();
    }
    PhaseResult result = detail::make_result(Status::ready);
    result.telemetry = read_telemetry();
    return result;
}

std::vector<TelemetrySample> LocalEnv::read_telemetry() const
{
    std::vector<TelemetrySample> samples;
    if (!m_settings.read_telemetry_file) {
        return samples;
    }
    const std::string& name = *m_settings.read_telemetry_file;
    const auto path = find_local(name);
    if (!path) {
        spdlog::debug("environment '{}': telemetry file '{}' not found", this->name(), name);
        return samples;
    }
    std::string text;
    if (auto error = read_text(*path, text)) {
        spdlog::warn("environment '{}': {}", this->name(), *error);
        return samples;
    }
    const auto rows = detail::parse_csv(text);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        const auto skip = [&](const std::string& why) {
            spdlog::warn("telemetry file '{}' line {}: {}; row skipped", path->string(), row.line,
                         why);
        };
        if (row.fields.size() != 3) {
            skip("expected 3 fields (timestamp,metric,value), got " +
                 std::to_string(row.fields.size()));
            continue;
        }
        const std::string stamp = trim(row.fields[0]);
        const std::string metric = trim(row.fields[1]);
        if (i == 0 && to_lower(stamp) == "timestamp" && to_lower(metric) == "metric" &&
            to_lower(trim(row.fields[2])) == "value") {
            continue; // the optional header
        }
        const auto time = parse_timestamp(stamp, /*naive_is_local=*/true);
        if (!time) {
            skip("bad timestamp '" + stamp + "'");
            continue;
        }
        samples.push_back({*time, metric, csv_value(row.fields[2])});
    }
    return samples;
}

void LocalEnv::end_trial()
{
    m_temp.reset();
    Environment::end_trial();
}

void LocalEnv::teardown()
{
    if (m_torn_down) {
        return;
    }
    m_torn_down = true;
    m_ready = false;
    if (m_settings.script.teardown.empty()) {
        return;
    }
    try {
        ShellVariables variables = trial_variables();
        for (const auto& missing :
             detail::shell_variables(m_settings.script, m_parameters, variables)) {
            spdlog::warn("environment '{}': teardown: {}", name(), missing);
        }
        // As in mlos_bench, not the trial's temp dir: the configured or the service's, or a
        // fresh one.
        const TempDirContext dir =
            m_exec.temp_dir_context(configured_temp_dir(), m_runner.keep_temp);
        const ExecResult exec =
            m_exec.execute(m_settings.script.teardown, variables, dir.path(), m_timeout);
        if (exec.ok()) {
            spdlog::debug("environment '{}': teardown done", name());
        } else {
            spdlog::warn("environment '{}': {}", name(),
                         detail::exec_failure("teardown", exec, m_timeout));
        }
    } catch (const std::exception& e) {
        spdlog::warn("environment '{}': teardown: {}", name(), e.what());
    }
}

} // namespace mlosbench
