#include "rate_limit.hpp"

#include <cctype>
#include <string_view>

namespace regscan::dockerhub {
namespace {

// The leading decimal of "100;w=21600", or nullopt.
std::optional<long> leading_number(std::string_view text) {
    text = sdk::trim(text);
    long value = 0;
    size_t digits = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) break;
        if (++digits > 12) return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (digits == 0) return std::nullopt;
    return value;
}

// The `w=` parameter of "100;w=21600", or 0.
long window_of(std::string_view text) {
    for (size_t pos = text.find(';'); pos != std::string_view::npos; pos = text.find(';', pos + 1)) {
        auto param = sdk::trim(text.substr(pos + 1, text.find(';', pos + 1) - pos - 1));
        if (param.size() > 2 && (param[0] == 'w' || param[0] == 'W') && param[1] == '=')
            return leading_number(param.substr(2)).value_or(0);
    }
    return 0;
}

// Limit and remaining from a header pair, when both are there and readable;
// the window is the caller's to fill.
std::optional<Quota> counts(const sdk::HttpResponse& response, const char* limit_header,
                            const char* remaining_header) {
    auto limit = response.header(limit_header);
    auto remaining = response.header(remaining_header);
    if (!limit || !remaining) return std::nullopt;
    auto l = leading_number(*limit);
    auto r = leading_number(*remaining);
    if (!l || !r) return std::nullopt;
    Quota quota;
    quota.limit = *l;
    quota.remaining = *r;
    return quota;
}

}  // namespace

std::optional<Quota> pull_quota(const sdk::HttpResponse& response) {
    auto quota = counts(response, "ratelimit-limit", "ratelimit-remaining");
    if (!quota) return quota;
    quota->window_seconds = window_of(*response.header("ratelimit-limit"));
    if (quota->window_seconds == 0) quota->window_seconds = window_of(*response.header("ratelimit-remaining"));
    return quota;
}

std::optional<Quota> api_quota(const sdk::HttpResponse& response) {
    auto quota = counts(response, "x-ratelimit-limit", "x-ratelimit-remaining");
    if (quota) quota->window_seconds = 60;  // documented as requests per minute
    return quota;
}

bool is_low(const Quota& quota) { return quota.remaining * 10 <= quota.limit; }

std::string describe_window(long seconds) {
    if (seconds <= 0) return "unstated";
    if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + " h";
    if (seconds % 60 == 0) return std::to_string(seconds / 60) + " min";
    return std::to_string(seconds) + " s";
}

std::string describe_pull_quota(const Quota& quota) {
    return std::to_string(quota.remaining) + " of " + std::to_string(quota.limit) + " pulls left per " +
           describe_window(quota.window_seconds) + " window";
}

void RateLimitLog::pulls(const sdk::HttpResponse& response, bool anonymous) {
    auto quota = pull_quota(response);
    if (!quota) {
        host_.debug("Docker Hub sent no pull rate limit headers (no pull limit applies to this account)");
        return;
    }
    if (pulls_logged_.exchange(true)) return;
    const std::string who = anonymous ? "anonymous pulls from this address" : "this account";
    if (quota->remaining <= 0) {
        host_.warn("Docker Hub pull rate limit exhausted for " + who + ": " + describe_pull_quota(*quota) +
                   ". Manifest GETs are answered 429 TOOMANYREQUESTS until the window moves on; regscan retries "
                   "them as Retry-After allows" +
                   (anonymous ? "; log in (--username and a personal access token) for a higher limit" : ""));
    } else if (is_low(*quota)) {
        host_.warn("Docker Hub pull rate limit nearly exhausted for " + who + ": " + describe_pull_quota(*quota) +
                   "; each image read costs one pull" +
                   (anonymous ? "; log in (--username and a personal access token) for a higher limit" : ""));
    } else {
        host_.info("Docker Hub pull rate limit for " + who + ": " + describe_pull_quota(*quota));
    }
}

void RateLimitLog::api(const sdk::HttpResponse& response) {
    auto quota = api_quota(response);
    if (!quota) return;
    host_.log(REGSCAN_LOG_TRACE, "Docker Hub API rate limit: " + std::to_string(quota->remaining) + " of " +
                                     std::to_string(quota->limit) + " requests left this minute");
    if (is_low(*quota) && !api_warned_.exchange(true))
        host_.warn("Docker Hub API rate limit nearly reached: " + std::to_string(quota->remaining) + " of " +
                   std::to_string(quota->limit) + " requests per minute left; requests answered 429 are retried "
                   "as Retry-After allows");
}

std::string RateLimitLog::api_refusal(const sdk::HttpResponse& response) {
    std::string text = "Docker Hub API rate limit reached";
    if (auto quota = api_quota(response)) text += " (" + std::to_string(quota->limit) + " requests per minute)";
    // Retry-After is in seconds; the older X-Retry-After and X-RateLimit-Reset are unix times.
    if (auto after = response.header("retry-after"))
        text += "; retry after " + std::string(sdk::trim(*after)) + " s";
    else if (auto at = response.header("x-retry-after"))
        text += "; retry at unix time " + std::string(sdk::trim(*at));
    else if (auto reset = response.header("x-ratelimit-reset"))
        text += "; the limit resets at unix time " + std::string(sdk::trim(*reset));
    return text;
}

}  // namespace regscan::dockerhub
