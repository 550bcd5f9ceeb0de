#include "serve/http/admission.hpp"

#include <algorithm>
#include <cmath>

namespace regscan::serve::httpd {

RateLimiter::RateLimiter(double per_second, double burst, size_t max_clients)
    : per_second_(per_second > 0 ? per_second : 1), burst_(std::max(burst, 1.0)), max_clients_(std::max<size_t>(max_clients, 1)) {}

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(client);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_clients_) {
            // Forget clients whose bucket has refilled: they lose nothing.
            auto full_after = std::chrono::duration<double>(burst_ / per_second_);
            for (auto b = buckets_.begin(); b != buckets_.end();)
                b = now - b->second.last >= full_after ? buckets_.erase(b) : std::next(b);
            if (buckets_.size() >= max_clients_) buckets_.clear();  // bounded memory over fairness
        }
        it = buckets_.emplace(client, Bucket{burst_, now}).first;
    }
    Bucket& bucket = it->second;
    double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    if (elapsed > 0) bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
    bucket.last = std::max(bucket.last, now);
    if (bucket.tokens < 1.0) return false;
    bucket.tokens -= 1.0;
    return true;
}

long RateLimiter::retry_after_seconds() const {
    return std::max(1L, static_cast<long>(std::ceil(1.0 / per_second_)));
}

size_t RateLimiter::clients() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

ConnectionGate::ConnectionGate(size_t max_total, size_t max_per_client)
    : max_total_(std::max<size_t>(max_total, 1)), max_per_client_(std::max<size_t>(max_per_client, 1)) {}

bool ConnectionGate::acquire(const std::string& client) {
    std::lock_guard lock(mutex_);
    if (total_ >= max_total_) return false;
    size_t& mine = per_client_[client];
    if (mine >= max_per_client_) return false;
    ++mine;
    ++total_;
    return true;
}

void ConnectionGate::release(const std::string& client) {
    std::lock_guard lock(mutex_);
    auto it = per_client_.find(client);
    if (it == per_client_.end()) return;
    if (--it->second == 0) per_client_.erase(it);
    --total_;
}

size_t ConnectionGate::open() const {
    std::lock_guard lock(mutex_);
    return total_;
}

}  // namespace regscan::serve::httpd
