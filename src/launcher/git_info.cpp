#include "mlosbench/launcher/git_info.hpp"

#include "mlosbench/util/process.hpp"
#include "mlosbench/util/strings.hpp"

namespace fs = std::filesystem;

namespace mlosbench {
namespace {

std::string git(const fs::path& dir, std::vector<std::string> args)
{
    ProcessOptions options;
    options.argv = {"git", "-C", dir.string()};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = current_environment();
    options.timeout_seconds = 10;
    try {
        const ProcessResult r = run_process(options);
        return r.exit_code == 0 ? trim(r.out) : std::string();
    } catch (const std::exception&) {
        return {};
    }
}

} // namespace

std::string url_without_credentials(const std::string& url)
{
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) {
        return url;
    }
    const auto authority = scheme_end + 3;
    const auto authority_end = url.find_first_of("/?#", authority);
    const auto at = url.rfind('@', authority_end == std::string::npos ? std::string::npos
                                                                      : authority_end - 1);
    if (at == std::string::npos || at < authority) {
        return url;
    }
    return url.substr(0, authority) + url.substr(at + 1);
}

GitInfo git_info(const fs::path& file)
{
    GitInfo info;
    std::error_code ec;
    const fs::path absolute = fs::absolute(file, ec);
    info.rel_path = file.string();
    const fs::path dir = absolute.parent_path();
    if (!fs::is_directory(dir, ec)) {
        return info;
    }
    const std::string top = git(dir, {"rev-parse", "--show-toplevel"});
    if (top.empty()) {
        return info;
    }
    info.commit = git(dir, {"rev-parse", "HEAD"});
    info.repo = git(dir, {"config", "--get", "remote.upstream.url"});
    if (info.repo.empty()) {
        info.repo = git(dir, {"config", "--get", "remote.origin.url"});
    }
    if (info.repo.empty()) {
        info.repo = "file://" + top;
    }
    // A token in the remote's URL must not end up in the experiment row.
    info.repo = url_without_credentials(info.repo);
    info.rel_path = fs::weakly_canonical(absolute, ec).lexically_relative(top).string();
    return info;
}

} // namespace mlosbench
