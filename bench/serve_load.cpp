// A bounded load on a running `mlosbench serve`: CLIENTS threads, each with its own keep-alive
// connection, send GET PATH for SECONDS; prints requests per second, the latency percentiles
// and the count of failed requests (no answer, or a status other than 200).
//   serve_load HOST PORT PATH [CLIENTS] [SECONDS] [INTERVAL_MS]
//     INTERVAL_MS  0 (default): each client sends its next request as soon as the answer came;
//                  else each client polls as the dashboard does: every INTERVAL_MS (2000
//                  there), or 4 times as long as its last answer took when that is longer
// One line of output: path clients seconds requests rps p50_ms p90_ms p99_ms max_ms failed
// bytes_per_answer. Run it from a Release build; bench/serve_load.sh drives it.

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct ClientTally
{
    std::vector<double> latencies_ms;
    long failed = 0;
    long long bytes = 0;
};

double percentile(const std::vector<double>& sorted, double p)
{
    if (sorted.empty()) {
        return 0;
    }
    const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: serve_load HOST PORT PATH [CLIENTS] [SECONDS] [INTERVAL_MS]\n");
        return 2;
    }
    const std::string host = argv[1];
    const int port = std::atoi(argv[2]);
    const std::string path = argv[3];
    const int clients = argc > 4 ? std::atoi(argv[4]) : 50;
    const double seconds = argc > 5 ? std::atof(argv[5]) : 10;
    const int interval_ms = argc > 6 ? std::atoi(argv[6]) : 0;
    if (port <= 0 || clients <= 0 || seconds <= 0 || interval_ms < 0) {
        std::fprintf(stderr, "serve_load: PORT, CLIENTS and SECONDS are positive numbers\n");
        return 2;
    }

    std::vector<ClientTally> tallies(static_cast<std::size_t>(clients));
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    const auto run_client = [&](ClientTally& tally, int index) {
        httplib::Client client(host, port);
        client.set_keep_alive(true);
        client.set_connection_timeout(10, 0);
        client.set_read_timeout(60, 0);
        ready.fetch_add(1);
        while (!go.load()) {
            std::this_thread::yield();
        }
        const auto start = Clock::now();
        const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(seconds));
        // Paced clients start spread over one interval, as dashboards opened at random times.
        auto next = start + std::chrono::milliseconds(interval_ms) * index / clients;
        while (true) {
            if (interval_ms > 0) {
                std::this_thread::sleep_until(next);
            }
            const auto sent = Clock::now();
            if (sent >= end) {
                break;
            }
            const auto answer = client.Get(path);
            const auto received = Clock::now();
            next = sent + std::max<Clock::duration>(std::chrono::milliseconds(interval_ms),
                                                    4 * (received - sent));
            if (!answer || answer->status != 200) {
                ++tally.failed;
                continue;
            }
            tally.bytes += static_cast<long long>(answer->body.size());
            tally.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(received - sent).count());
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(tallies.size());
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back(run_client, std::ref(tallies[static_cast<std::size_t>(i)]), i);
    }
    while (ready.load() < clients) {
        std::this_thread::yield();
    }
    const auto start = Clock::now();
    go.store(true);
    for (auto& t : threads) {
        t.join();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    std::vector<double> all;
    long failed = 0;
    long long bytes = 0;
    for (const auto& tally : tallies) {
        all.insert(all.end(), tally.latencies_ms.begin(), tally.latencies_ms.end());
        failed += tally.failed;
        bytes += tally.bytes;
    }
    std::sort(all.begin(), all.end());
    const auto ok = static_cast<double>(all.size());
    std::printf("%s %d %.1f %zu %.1f %.2f %.2f %.2f %.2f %ld %.0f\n", path.c_str(), clients, elapsed,
                all.size(), ok / elapsed, percentile(all, 0.5), percentile(all, 0.9),
                percentile(all, 0.99), all.empty() ? 0.0 : all.back(), failed,
                all.empty() ? 0.0 : static_cast<double>(bytes) / ok);
    return failed == 0 ? 0 : 1;
}
