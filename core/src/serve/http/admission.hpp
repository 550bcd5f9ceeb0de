// Who may be served now: a token bucket of requests per client, and a bound
// on open connections in all and per client. Plain classes with an injected
// clock, so their arithmetic is unit-tested without sockets.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace regscan::serve::httpd {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    // `per_second` requests refill each client's bucket of `burst`; at most
    // `max_clients` buckets are kept (idle full ones are forgotten first).
    RateLimiter(double per_second, double burst, size_t max_clients = 4096);

    // Takes one request from the client's bucket; false when it is empty.
    bool allow(const std::string& client, Clock::time_point now);
    // Whole seconds until one request is back in an empty bucket (>= 1).
    [[nodiscard]] long retry_after_seconds() const;
    [[nodiscard]] size_t clients() const;

private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    double per_second_;
    double burst_;
    size_t max_clients_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

class ConnectionGate {
public:
    ConnectionGate(size_t max_total, size_t max_per_client);
    // Counts one more connection of `client`; false (nothing counted) past a bound.
    bool acquire(const std::string& client);
    void release(const std::string& client);
    [[nodiscard]] size_t open() const;

private:
    size_t max_total_;
    size_t max_per_client_;
    mutable std::mutex mutex_;
    size_t total_ = 0;
    std::unordered_map<std::string, size_t> per_client_;
};

}  // namespace regscan::serve::httpd
