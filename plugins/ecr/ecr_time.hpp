// The time formats AWS speaks: SigV4's basic ISO 8601, epoch seconds in JSON
// 1.1 answers, extended ISO 8601 in STS and instance-metadata credentials.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::ecr {

using TimePoint = std::chrono::system_clock::time_point;

// "20150830T123600Z", the X-Amz-Date form.
std::string amz_date(TimePoint when);
// "2019-01-01T01:29:27Z": epoch seconds (a JSON number, maybe fractional) in UTC, fraction dropped.
std::string rfc3339_from_epoch(double epoch_seconds);
TimePoint from_epoch(double epoch_seconds);
// "2015-08-30T12:36:00Z", "2011-07-15T23:28:33.359Z", "...+02:00"; nullopt otherwise.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace regscan::ecr
