#include "mlosbench/environments/local_env.hpp"

#include "environments/detail/results_csv.hpp"
#include "environments/detail/run_phase.hpp"
#include "environments/detail/script_support.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/file.hpp"
#include "mlosbench/util/paths.hpp"
#include "mlosbench/util/strings.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string_view>
#include <system_error>

namespace fs = std::filesystem;

namespace mlosbench {
namespace {

// Bytes read at most from a results file and from a telemetry file.
constexpr std::size_t k_max_results_bytes = std::size_t{16} << 20U;
constexpr std::size_t k_max_telemetry_bytes = std::size_t{64} << 20U;

// A directory name made of an experiment id: [A-Za-z0-9._-] kept, anything else `_`.
std::string directory_name(std::string_view id)
{
    std::string out(id);
    for (char& c : out) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
            c = '_';
        }
    }
    if (out == "." || out == "..") {
        out = "_";
    }
    return out;
}

// Whether `path` is `dir` or lies under it (both absolute and normal).
bool is_within(const fs::path& path, const fs::path& dir)
{
    const fs::path rel = path.lexically_relative(dir);
    return !rel.empty() && *rel.begin() != "..";
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

std::vector<fs::path> script_search_path(const EnvironmentSpec& spec,
                                         const std::vector<fs::path>& search_path)
{
    std::vector<fs::path> out;
    std::error_code ec;
    if (!spec.file.empty() && fs::is_regular_file(spec.file, ec)) {
        out.push_back(fs::absolute(spec.file, ec).parent_path());
    }
    for (const auto& dir : search_path) {
        if (std::find(out.begin(), out.end(), dir) == out.end()) {
            out.push_back(dir);
        }
    }
    return out;
}

LocalEnv::LocalEnv(const EnvironmentSpec& spec, const RunnerContext& runner)
    : LocalEnv(spec, runner, std::get<LocalSettings>(spec.settings))
{
}

LocalEnv::LocalEnv(const EnvironmentSpec& spec,
                   const RunnerContext& runner,
                   const LocalSettings& settings)
    : Environment(spec, runner), m_settings(settings),
      m_search_path(script_search_path(spec, runner.search_path)),
      m_exec(
          spec.services.local_exec.value_or(LocalExecSettings{}), m_search_path, runner.cancel),
      m_timeout(settings.script.timeout ? settings.script.timeout : m_exec.settings().timeout)
{
    m_pattern = detail::results_pattern(spec, settings.script);
}

LocalEnv::~LocalEnv()
{
    end_processes(m_trial_processes, "run");
    if (m_runner.teardown) {
        end_processes(m_setup_processes, "setup");
    }
}

void LocalEnv::end_processes(const ProcessScope& scope, std::string_view lines) const
{
    if (const std::size_t ended = scope.end(); ended > 0) {
        spdlog::info("environment '{}': ended {} process{} its {} lines left running", name(),
                     ended, ended == 1 ? "" : "es", lines);
    }
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

std::optional<fs::path> LocalEnv::temp_dir_base() const
{
    if (auto dir = configured_temp_dir()) {
        return fs::absolute(*dir).lexically_normal();
    }
    if (m_exec.settings().temp_dir) {
        return fs::absolute(*m_exec.settings().temp_dir).lexically_normal();
    }
    return std::nullopt;
}

TempDirContext LocalEnv::work_dir_context() const
{
    // A configured directory is shared by every runner (and by every mlosbench process that
    // uses the config): each runner works in its own subdirectory of it, for all its trials
    // and its teardown, as one mlos_bench process works in the directory itself.
    if (const auto base = temp_dir_base()) {
        fs::path dir = *base;
        if (!m_trial.experiment_id.empty()) {
            dir /= directory_name(m_trial.experiment_id);
        }
        dir /= "runner-" + std::to_string(m_runner.runner_id);
        return m_exec.temp_dir_context(dir, m_runner.keep_temp);
    }
    return m_exec.temp_dir_context(std::nullopt, m_runner.keep_temp);
}

std::optional<std::string>
LocalEnv::trial_file(const std::string& key, const std::string& name, fs::path& out) const
{
    const fs::path& dir = m_temp->path();
    const fs::path normal = (dir / name).lexically_normal(); // `name` itself when absolute
    if (is_within(normal, dir)) {
        out = normal;
        return std::nullopt;
    }
    // An absolute path into the configured temp_dir names the file where the trial's script
    // writes it in mlos_bench: in the working directory, which here is a subdirectory.
    if (const auto base = temp_dir_base();
        base && fs::path(name).is_absolute() && is_within(normal, *base)) {
        out = dir / normal.lexically_relative(*base);
        return std::nullopt;
    }
    return key + " '" + name + "' is outside the trial's working directory " + dir.string() +
           ", where other trials could write it: name it relative to that directory";
}

std::optional<std::string> LocalEnv::prepare_trial_files()
{
    m_results_path.reset();
    m_telemetry_path.reset();
    const auto prepare = [&](const char* key, const std::optional<std::string>& name,
                             std::optional<fs::path>& path) -> std::optional<std::string> {
        if (!name) {
            return std::nullopt;
        }
        fs::path file;
        if (auto error = trial_file(key, *name, file)) {
            return error;
        }
        // Whatever is there was written before this trial began (an earlier trial of this
        // runner): it goes, so that a file found after the run is this trial's.
        std::error_code ec;
        const fs::file_status st = fs::symlink_status(file, ec);
        if (!ec && fs::exists(st) && !fs::is_directory(st)) {
            fs::remove(file, ec);
            if (ec) {
                return "cannot remove the previous " + std::string(key) + " '" + file.string() +
                       "': " + ec.message();
            }
        }
        path = file;
        return std::nullopt;
    };
    if (auto error = prepare("read_results_file", m_settings.read_results_file, m_results_path)) {
        return error;
    }
    return prepare("read_telemetry_file", m_settings.read_telemetry_file, m_telemetry_path);
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

ExecRequest LocalEnv::request(const std::vector<std::string>& lines,
                              const ProcessScope& scope) const
{
    ExecRequest request;
    request.lines = lines;
    request.variables = m_variables;
    request.cwd = m_temp->path();
    request.timeout = m_timeout;
    request.scope = &scope;
    return request;
}

PhaseResult LocalEnv::do_setup()
{
    PhaseResult result = detail::make_result(Status::ready);
    try {
        m_variables = trial_variables();
        const auto missing = detail::shell_variables(m_settings.script, m_parameters, m_variables);
        if (!missing.empty()) {
            return detail::make_result(Status::failed,
                                       missing.front() + " of environment '" + name() + "'");
        }
        if (!m_temp) {
            m_temp.emplace(work_dir_context());
        }
        if (auto error = prepare_trial_files()) {
            return detail::make_result(Status::failed, "setup: " + *error);
        }
        if (auto error = write_dump_files()) {
            return detail::make_result(Status::failed, *error);
        }
        if (!m_settings.script.setup.empty()) {
            result = detail::run_phase(m_exec, "setup",
                                       request(m_settings.script.setup, m_setup_processes),
                                       Status::ready);
        }
    } catch (const std::exception& e) {
        return detail::make_result(Status::failed, "setup: " + std::string(e.what()));
    }
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

PhaseResult LocalEnv::do_run()
{
    PhaseResult result = detail::make_result(Status::succeeded);
    try {
        if (!m_settings.script.run.empty()) {
            result =
                detail::run_phase(m_exec, "run", request(m_settings.script.run, m_trial_processes),
                                  Status::succeeded);
            if (result.status != Status::succeeded) {
                return result;
            }
        }
        read_results(result.stdout_tail, result);
    } catch (const std::exception& e) {
        PhaseResult out = detail::make_result(Status::failed, "run: " + std::string(e.what()));
        out.stdout_tail = std::move(result.stdout_tail);
        out.stderr_tail = std::move(result.stderr_tail);
        return out;
    }
    return result;
}

void LocalEnv::read_results(const std::string& stdout_text, PhaseResult& result) const
{
    if (m_pattern) {
        result.results_source = "results_stdout_pattern '" +
                                m_settings.script.results_stdout_pattern.value_or("") + "'";
        if (auto error = detail::parse_stdout_results(*m_pattern, stdout_text, result.results)) {
            result.status = Status::failed;
            result.reason = "run: " + *error;
            result.results = Json::object();
            return;
        }
    }
    if (m_results_path) {
        read_results_file(result);
    }
    if (!m_pattern && !m_results_path) {
        result.results_source = "environment '" + name() +
                                "', which has neither results_stdout_pattern nor read_results_file";
    }
}

void LocalEnv::read_results_file(PhaseResult& result) const
{
    const auto fail = [&](const std::string& reason) {
        result.status = Status::failed;
        result.reason = reason;
        result.results = Json::object();
    };
    const fs::path& path = *m_results_path;
    const std::string file = "results file '" + path.string() + "'";
    result.results_source += (result.results_source.empty() ? "" : " and ") + file;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) {
        fail(file + " was not written by the trial");
        return;
    }
    std::string text;
    try {
        text = read_regular_file(path, k_max_results_bytes, "results file");
    } catch (const Error& e) {
        fail(e.what());
        return;
    }
    Json values;
    if (auto error = detail::parse_results_csv(text, file, values)) {
        fail(*error);
        return;
    }
    // CSV values win over stdout ones, as in mlos_bench.
    merge_object(result.results, values);
}

PhaseResult LocalEnv::do_status()
{
    PhaseResult result = detail::make_result(Status::ready);
    result.telemetry = read_telemetry();
    return result;
}

std::vector<TelemetrySample> LocalEnv::read_telemetry() const
{
    std::vector<TelemetrySample> samples;
    if (!m_telemetry_path) {
        return samples;
    }
    const fs::path* path = &*m_telemetry_path;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(*path, ec))) {
        spdlog::debug("environment '{}': telemetry file '{}' was not written by the trial",
                      this->name(), path->string());
        return samples;
    }
    std::string text;
    try {
        text = read_regular_file(*path, k_max_telemetry_bytes, "telemetry file");
    } catch (const Error& e) {
        spdlog::warn("environment '{}': {}; no telemetry read", this->name(), e.what());
        return samples;
    }
    return detail::parse_telemetry_csv(text, [&](std::size_t line, const std::string& why) {
        spdlog::warn("telemetry file '{}' line {}: {}; row skipped", path->string(), line, why);
    });
}

void LocalEnv::do_end_trial()
{
    end_processes(m_trial_processes, "run");
    m_temp.reset();
    m_results_path.reset();
    m_telemetry_path.reset();
}

void LocalEnv::do_teardown()
{
    if (!m_settings.script.teardown.empty()) {
        run_teardown_lines();
    }
    end_processes(m_setup_processes, "setup");
}

void LocalEnv::run_teardown_lines()
{
    try {
        ShellVariables variables = trial_variables();
        for (const auto& missing :
             detail::shell_variables(m_settings.script, m_parameters, variables)) {
            spdlog::warn("environment '{}': teardown: {}", name(), missing);
        }
        // As in mlos_bench, not a per-trial temp dir: the runner's directory under the
        // configured or the service's temp_dir (where its setups ran), or a fresh one.
        const TempDirContext dir = work_dir_context();
        ExecRequest teardown;
        teardown.lines = m_settings.script.teardown;
        teardown.variables = std::move(variables);
        teardown.cwd = dir.path();
        teardown.timeout = m_timeout;
        teardown.scope = &m_setup_processes;
        detail::log_teardown(name(),
                             detail::run_phase(m_exec, "teardown", teardown, Status::succeeded));
    } catch (const std::exception& e) {
        spdlog::warn("environment '{}': teardown: {}", name(), e.what());
    }
}

} // namespace mlosbench
