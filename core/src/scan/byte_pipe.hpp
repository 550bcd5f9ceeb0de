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
    // `batch` > 0: pushes are gathered into chunks of at least `batch` bytes
    // (the last may be shorter) before the consumer is woken. A transfer
    // hands over 16 KiB at a time; waking the consumer for each costs a
    // context switch, and the inflater runs fastest on long inputs. 0: every
    // push is a chunk of its own (what tests of chunk boundaries need).
    explicit BytePipe(size_t capacity, size_t batch = 0) : capacity_(capacity), batch_(batch) {}

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
    // A chunk the consumer may take: complete, the rest after close, or
    // whatever there is when the pipe is full (a batch larger than the
    // capacity never blocks both sides).
    [[nodiscard]] bool ready() const {
        return chunks_.size() > 1 ||
               (!chunks_.empty() && (closed_ || chunks_.front().size() >= batch_ || bytes_ >= capacity_));
    }

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::string> chunks_;
    size_t bytes_ = 0;
    size_t capacity_;
    size_t batch_;
    bool closed_ = false;
    bool aborted_ = false;
    std::string error_;
};

}  // namespace regscan::scan
