// RFC 3339 timestamps as registries write them, normalised to UTC seconds.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::util {

// Parses "2019-01-01T01:29:27Z", "2020-05-06T10:11:12.123456789+02:00",
// "2020-05-06 10:11:12 +0000 UTC"-free forms only: date 'T' or ' ' time,
// optional fraction, 'Z' or +hh:mm / +hhmm. nullopt when malformed.
std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text);

// "2019-01-01T01:29:27Z"
std::string format_utc(std::chrono::sys_seconds time);

// `text` parsed and formatted again (UTC, to the second); empty when it is
// not an RFC 3339 time: how a registry's time becomes a report's.
std::string utc_seconds(std::string_view text);

// Now, formatted.
std::string now_utc();

}  // namespace regscan::util
