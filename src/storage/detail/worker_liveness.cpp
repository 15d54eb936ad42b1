#include "worker_liveness.hpp"

#include <array>
#include <cerrno>
#include <signal.h>
#include <unistd.h>

namespace mlosbench::detail {

std::string this_host_name()
{
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name.data();
}

bool process_alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

bool is_live(const RunningWorker& worker,
             Timestamp now,
             std::chrono::milliseconds lease,
             const std::string& this_host)
{
    if (worker.heartbeat + lease < now) {
        return false;
    }
    return worker.host != this_host || process_alive(worker.pid);
}

std::string describe_worker(const std::string& host, int pid)
{
    return "process " + std::to_string(pid) + " on " + host;
}

} // namespace mlosbench::detail
