// Runs fn(0..count-1) on at most `workers` threads. Each index runs once; an
// exception escaping fn is a programming error and terminates, so callers
// catch per item and record the failure next to the item.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace regscan::util {

template <class Fn>
void parallel_for(size_t count, size_t workers, Fn&& fn) {
    workers = std::max<size_t>(1, std::min(workers, count));
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < count; i = next++) fn(i);
    };
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
    work();
    for (auto& thread : threads) thread.join();
}

}  // namespace regscan::util
