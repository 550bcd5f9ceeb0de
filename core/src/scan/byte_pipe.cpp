#include "scan/byte_pipe.hpp"

#include <algorithm>

namespace regscan::scan {

bool BytePipe::push(const char* data, size_t size) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return aborted_ || bytes_ < capacity_; });
    if (aborted_) return false;
    if (batch_ > 0 && !chunks_.empty() && chunks_.back().size() < batch_) {
        // Still gathering: the consumer waits for a whole batch (or close).
        chunks_.back().append(data, size);
    } else {
        std::string chunk;
        chunk.reserve(std::max(batch_, size));
        chunk.append(data, size);
        chunks_.push_back(std::move(chunk));
    }
    bytes_ += size;
    if (chunks_.back().size() >= batch_ || bytes_ >= capacity_) changed_.notify_all();
    return true;
}

void BytePipe::close(const std::string& error) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    if (error_.empty()) error_ = error;
    changed_.notify_all();
}

std::optional<std::string> BytePipe::pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return aborted_ || closed_ || ready(); });
    if (chunks_.empty()) return std::nullopt;
    std::string chunk = std::move(chunks_.front());
    chunks_.pop_front();
    bytes_ -= chunk.size();
    changed_.notify_all();
    return chunk;
}

void BytePipe::abort() {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    changed_.notify_all();
}

std::string BytePipe::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

}  // namespace regscan::scan
