// Docker Hub's two rate limits, read from response headers:
//  - pulls: `ratelimit-limit: 100;w=21600` / `ratelimit-remaining: 76;w=21600`
//    on registry manifest requests (GET counts, HEAD does not);
//  - API calls: `X-RateLimit-Limit` / `X-RateLimit-Remaining` / `X-RateLimit-Reset`
//    (requests per minute) on hub.docker.com API responses.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "regscan/host.hpp"

namespace regscan::dockerhub {

struct Quota {
    long limit = 0;
    long remaining = 0;
    long window_seconds = 0;  // 0: not stated
};

// Pull limit from ratelimit-limit / ratelimit-remaining; nullopt when absent
// (Docker Hub sends none to accounts without a pull limit).
std::optional<Quota> pull_quota(const sdk::HttpResponse& response);

// API limit from X-RateLimit-Limit / X-RateLimit-Remaining.
std::optional<Quota> api_quota(const sdk::HttpResponse& response);

// At most a tenth left.
bool is_low(const Quota& quota);

// "21600" -> "6 h", "60" -> "1 min", "90" -> "90 s".
std::string describe_window(long seconds);

// "76 of 100 pulls left per 6 h window"
std::string describe_pull_quota(const Quota& quota);

// Logs what the limits say without repeating itself: the pull limit once at
// info (warning when low), the API limit at debug and one warning when low.
class RateLimitLog {
public:
    explicit RateLimitLog(const sdk::Host& host) : host_(host) {}

    void pulls(const sdk::HttpResponse& response, bool anonymous);
    void api(const sdk::HttpResponse& response);

    // Why a 429 from the Hub API happened, for the error message.
    static std::string api_refusal(const sdk::HttpResponse& response);

private:
    sdk::Host host_;
    std::atomic<bool> pulls_logged_{false};
    std::atomic<bool> api_warned_{false};
};

}  // namespace regscan::dockerhub
