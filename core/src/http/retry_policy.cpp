#include "http/retry_policy.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace regscan::http {

bool is_retryable_status(long status) {
    return status == 0 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& value,
                                                      std::chrono::system_clock::time_point now) {
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::chrono::seconds(std::stoll(value.substr(0, 9)));
    std::tm tm{};
    // IMF-fixdate, the form RFC 9110 requires senders to use.
    if (!strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
    auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
    auto delta = std::chrono::duration_cast<std::chrono::seconds>(when - now);
    return std::max(delta, std::chrono::seconds(0));
}

std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds base,
                                      std::optional<std::chrono::seconds> retry_after, std::chrono::seconds cap,
                                      double jitter) {
    using std::chrono::milliseconds;
    milliseconds cap_ms = cap;
    if (retry_after) return std::min<milliseconds>(*retry_after, cap_ms);
    auto ceiling = base * (1LL << std::min(attempt, 20));
    ceiling = std::min<milliseconds>(ceiling, cap_ms);
    // Half fixed, half random: never a zero wait, still spread out.
    return milliseconds(static_cast<long long>(ceiling.count() * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0))));
}

}  // namespace regscan::http
