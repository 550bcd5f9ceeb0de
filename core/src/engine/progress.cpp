#include "engine/progress.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace regscan::engine {

Progress::Progress(bool enabled, size_t total, const ScanCounters& counters)
    : enabled_(enabled && total > 0), total_(total), counters_(counters) {
    if (!enabled_) return;
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stop_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_; })) draw(false);
    });
}

Progress::~Progress() { finish(); }

void Progress::finish() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_.notify_all();
    thread_.join();
    draw(true);
}

void Progress::draw(bool final) {
    using namespace std::chrono;
    double seconds = duration<double>(steady_clock::now() - started_).count();
    double mib = static_cast<double>(counters_.bytes_pulled.load()) / (1024.0 * 1024.0);
    size_t done = done_.load();
    std::string eta = "--";
    if (done > 0 && done < total_) {
        auto remaining = static_cast<long>(seconds / static_cast<double>(done) * static_cast<double>(total_ - done));
        eta = fmt::format("{}m{:02}s", remaining / 60, remaining % 60);
    }
    std::string text = fmt::format("\r[{}/{}] images  {:.1f} MiB pulled  {:.1f} MiB/s  ETA {}  ", done, total_, mib,
                                   seconds > 0 ? mib / seconds : 0.0, eta);
    std::fputs(text.c_str(), stderr);
    if (final) std::fputs("\n", stderr);
    std::fflush(stderr);
}

}  // namespace regscan::engine
