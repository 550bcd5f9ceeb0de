// The JSON pages of the Hub API's listings ({count, next, previous, results})
// turned into names and TagInfo, without any I/O so they can be tested alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/registry.hpp"

namespace regscan::dockerhub {

struct RepositoryPage {
    std::vector<std::string> names;  // repository names inside the namespace
    std::string next;                // absolute URL of the next page, "" on the last
};

struct TagPage {
    std::vector<sdk::TagInfo> tags;
    std::string next;
};

// Throw sdk::Error(REGSCAN_ERROR) naming `url` when the page is not the documented shape.
RepositoryPage parse_repository_page(const nlohmann::json& body, const std::string& url);
TagPage parse_tag_page(const nlohmann::json& body, const std::string& url);

// Microseconds since the epoch of an RFC 3339 time ("2021-01-05T21:06:53.506400Z").
std::optional<std::int64_t> rfc3339_micros(std::string_view text);

// Newest push first; tags without a push time last, by name.
void sort_newest_first(std::vector<sdk::TagInfo>& tags);

// Where to fetch `next` from. A `next` on another origin than the API base
// (a proxy or an override in front of hub.docker.com) is re-based onto the
// API base, so the Hub token is never sent anywhere but the configured API.
std::string next_page_url(const std::string& api_base, const std::string& current, const std::string& next);

// "detail" or "message" of a Hub error body, else the first bytes of it.
std::string hub_error_text(const std::string& body);

}  // namespace regscan::dockerhub
