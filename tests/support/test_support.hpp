#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mlosbench::testing {

/// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir
{
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    /// Writes `text` to `relative` (creating parent directories); returns the full path.
    std::filesystem::path write(const std::string& relative, const std::string& text) const;

private:
    std::filesystem::path m_path;
};

[[nodiscard]] std::string read_file(const std::filesystem::path& path);

/// Whether process `pid` is alive and not on its way out. A process killed by a signal first
/// closes its files, then is a zombie until its parent reaps it; all the while kill(pid, 0)
/// still succeeds, so /proc tells: state Z or X, or PF_EXITING in the flags.
[[nodiscard]] bool is_running(int pid);

/// A TCP port of 127.0.0.1 that nothing listened on a moment ago.
[[nodiscard]] int free_tcp_port();

/// This machine's host name (gethostname), as worker rows of a storage name it.
[[nodiscard]] std::string host_name();

/// The number in the file `path` (a pid a test script wrote); -1 when there is none.
[[nodiscard]] int read_pid(const std::filesystem::path& path);

/// `depth` copies of `open` then as many of `close`: a document nested `depth` levels deep.
[[nodiscard]] std::string nested_json(std::size_t depth, const std::string& open, const std::string& close);

/// tests/ in the source tree, and tests/config/acceptance/ (mlos_bench's config test cases).
[[nodiscard]] std::filesystem::path tests_dir();
[[nodiscard]] std::filesystem::path acceptance_dir();
/// The path of a config under tests/e2e/configs.
[[nodiscard]] std::string e2e_config(const std::string& name);

/// What running the built mlosbench binary gave.
struct CommandResult
{
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs the built `mlosbench` with `args` in `cwd` (empty: the current directory), with
/// `env` entries ("NAME=value") added to the environment. Waits for it to finish.
[[nodiscard]] CommandResult run_mlosbench(const std::vector<std::string>& args,
                                          const std::filesystem::path& cwd = {},
                                          const std::vector<std::string>& env = {});

/// Runs the built `mlosbench` as run_mlosbench does, but with its stderr on a terminal (a
/// pseudo-terminal `columns` wide, output bytes passed as written, no "\n" -> "\r\n"): `err`
/// holds every byte the terminal received. stdout is a file, stdin /dev/null.
[[nodiscard]] CommandResult run_mlosbench_on_terminal(const std::vector<std::string>& args,
                                                      const std::filesystem::path& cwd = {},
                                                      const std::vector<std::string>& env = {},
                                                      int columns = 200);

/// Runs `argv` (argv[0] looked up on PATH: `sh`, `setpriv`, ...) in `cwd` and waits for it;
/// for running the built binary through a shell or as another user.
[[nodiscard]] CommandResult run_command(const std::vector<std::string>& argv,
                                        const std::filesystem::path& cwd = {});

/// The path of the built mlosbench binary.
[[nodiscard]] std::string mlosbench_binary();

/// A running mlosbench process started by start_mlosbench.
struct RunningCommand
{
    int pid = -1;
    std::filesystem::path out_path;
    std::filesystem::path err_path;
};

/// Starts the built mlosbench in the background (stdout/stderr to files under `capture_dir`).
[[nodiscard]] RunningCommand start_mlosbench(const std::vector<std::string>& args,
                                             const std::filesystem::path& cwd,
                                             const std::filesystem::path& capture_dir);
/// Waits for it; returns what it printed and its exit code (128+N when killed by signal N).
[[nodiscard]] CommandResult wait_for(const RunningCommand& command);

/// Waits until `done()` is true, asking every few milliseconds, for at most `seconds`.
/// Returns whether it became true.
[[nodiscard]] bool wait_until(const std::function<bool()>& done, double seconds = 30);

/// Waits until `path` exists, the same way. Returns whether it appeared.
[[nodiscard]] bool wait_for_file(const std::filesystem::path& path, double seconds = 30);
/// Waits the same way until the file at `path` contains `text`. Returns whether it did.
[[nodiscard]] bool
wait_for_text(const std::filesystem::path& path, const std::string& text, double seconds = 30);

/// A fixture whose cases share one storage file (in a temp dir) made by SetUpTestSuite:
/// a derived suite calls open_storage() there, then runs mlosbench to fill it.
class SharedStorageTest : public ::testing::Test
{
protected:
    /// A fresh temp dir holding the storage file `name` (not created yet).
    static void open_storage(const std::string& name)
    {
        s_dir = std::make_unique<TempDir>();
        s_db = s_dir->path() / name;
    }
    static void TearDownTestSuite() { s_dir.reset(); }
    /// mlosbench run in the temp dir with `--storage` the shared file.
    static CommandResult mlosbench(std::vector<std::string> args)
    {
        args.insert(args.end(), {"--storage", s_db.string()});
        return run_mlosbench(args, s_dir->path());
    }

    static inline std::unique_ptr<TempDir> s_dir;
    static inline std::filesystem::path s_db;
};

} // namespace mlosbench::testing
