// When a connector's imports run: an interval in the user's units ("30m",
// "6h", "1d"), the next run after a start, and what is due at a given time.
// Pure arithmetic on an injected clock, so tests need no waiting.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace regscan::serve {

using Clock = std::function<std::chrono::sys_seconds()>;
Clock system_clock();

inline constexpr std::chrono::minutes default_interval{12 * 60};
inline constexpr std::chrono::minutes min_interval{1};
inline constexpr std::chrono::minutes max_interval{366 * 24 * 60};

// "30m", "6h", "1d" (a positive whole number and one unit); nullopt when
// malformed or outside [min, max]. Used for schedules and image timeouts.
std::optional<std::chrono::minutes> parse_interval(const std::string& text,
                                                   std::chrono::minutes min = min_interval,
                                                   std::chrono::minutes max = max_interval);
// The shortest spelling: 90 -> "90m", 360 -> "6h", 1440 -> "1d".
std::string format_interval(std::chrono::minutes interval);

// The run after one that started (or a schedule set) at `anchor`.
std::chrono::sys_seconds next_run(std::chrono::sys_seconds anchor, std::chrono::minutes every);

// Whether a connector whose next run is `next` is due at `now`. However many
// intervals were missed (the server was down), the answer is one run, and
// the run after it is next_run(now, every): missed runs collapse to one.
bool is_due(std::chrono::sys_seconds next, std::chrono::sys_seconds now);

}  // namespace regscan::serve
