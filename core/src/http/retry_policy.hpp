// When to retry an HTTP exchange and how long to wait first.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace regscan::http {

// 429, 500, 502, 503, 504 and transport failures (status 0) are transient.
bool is_retryable_status(long status);

// Seconds from a Retry-After value: delta-seconds or an HTTP-date relative to
// `now`. nullopt when absent or unparseable.
std::optional<std::chrono::seconds> parse_retry_after(const std::string& value,
                                                      std::chrono::system_clock::time_point now);

// Exponential backoff with full jitter for attempt 0, 1, 2, ...; a server's
// Retry-After wins when given. Capped at `cap`.
std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds base,
                                      std::optional<std::chrono::seconds> retry_after, std::chrono::seconds cap,
                                      double jitter /* 0..1 */);

}  // namespace regscan::http
