#include "engine/progress.hpp"

#include <fmt/format.h>

#include "log/status_line.hpp"

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
    std::string text = fmt::format("[{}/{}] images  {:.1f} MiB pulled  {:.1f} MiB/s", done, total_, mib,
                                   seconds > 0 ? mib / seconds : 0.0);
    if (final) {
        // What the run did, once, on a line of its own: no ETA left behind.
        log::status_line().finish(text + fmt::format("  in {:.1f} s", seconds));
        return;
    }
    if (done > 0 && done < total_) {
        auto remaining = static_cast<long>(seconds / static_cast<double>(done) * static_cast<double>(total_ - done));
        text += fmt::format("  ETA {}m{:02}s", remaining / 60, remaining % 60);
    }
    log::status_line().show(text);
}

}  // namespace regscan::engine
