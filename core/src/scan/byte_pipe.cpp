#include "scan/byte_pipe.hpp"

namespace regscan::scan {

bool BytePipe::push(const char* data, size_t size) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return aborted_ || bytes_ < capacity_; });
    if (aborted_) return false;
    chunks_.emplace_back(data, size);
    bytes_ += size;
    changed_.notify_all();
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
    changed_.wait(lock, [&] { return aborted_ || closed_ || !chunks_.empty(); });
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
