// The live progress line on a terminal: images done/total, bytes pulled,
// rate and ETA, redrawn twice a second. Off when standard error is not a
// terminal, where plain log lines are what a reader wants.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/image_scanner.hpp"

namespace regscan::engine {

class Progress {
public:
    Progress(bool enabled, size_t total, const ScanCounters& counters);
    ~Progress();
    void image_done() { ++done_; }
    void finish();

private:
    void draw(bool final);

    bool enabled_;
    size_t total_;
    const ScanCounters& counters_;
    std::atomic<size_t> done_{0};
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::mutex mutex_;
    std::condition_variable stop_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace regscan::engine
