// A bounded pipe between a producer thread (the HTTP transfer, which pushes)
// and a consumer (libarchive, which pulls). Memory stays at `capacity` bytes
// whatever the layer's size: the producer blocks while the pipe is full.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace regscan::scan {

class BytePipe {
public:
    explicit BytePipe(size_t capacity) : capacity_(capacity) {}

    // Blocks while full. False when the consumer gave up: stop producing.
    bool push(const char* data, size_t size);
    // The producer is done; `error` non-empty when it failed.
    void close(const std::string& error = {});
    // Blocks until a chunk is there. nullopt at the end of the stream (check
    // error() to tell a clean end from a failed one).
    std::optional<std::string> pop();
    // The consumer gives up; a blocked producer wakes and stops.
    void abort();
    [[nodiscard]] std::string error() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::string> chunks_;
    size_t bytes_ = 0;
    size_t capacity_;
    bool closed_ = false;
    bool aborted_ = false;
    std::string error_;
};

}  // namespace regscan::scan
