// Quay's API answers (GET /api/v1/repository, GET /api/v1/repository/{repo}/tag/),
// read defensively: every field may be missing, of another type or hostile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/registry.hpp"

namespace regscan::quay {

// The repository names of one listRepos page that belong to `namespace_name`
// (each entry's "namespace" must say so; a name must be non-empty).
std::vector<std::string> repository_names(const nlohmann::json& page, const std::string& namespace_name);

// The tags of one listRepoTags page: name, manifest_digest and the push time
// (start_ts, else last_modified). Entries that ended (end_ts in the past: a
// tag's history) or lack a name are skipped.
std::vector<sdk::TagInfo> tag_infos(const nlohmann::json& page, long long now_epoch);

// Seconds since 1970 as RFC 3339 UTC ("2024-06-18T18:59:13Z").
std::string rfc3339_from_epoch(long long seconds);

// Quay's last_modified, RFC 2822 as Python's formatdate writes it
// ("Tue, 18 Jun 2024 18:59:13 -0000"), as RFC 3339 UTC; nullopt when malformed.
std::optional<std::string> rfc3339_from_rfc2822(const std::string& text);

// A failed request's text with Quay's ApiError body reduced to its message:
// "GET u: HTTP 403: {\"detail\": ..., \"error_message\": \"Unauthorized\", ...}"
// -> "GET u: HTTP 403 (Unauthorized)". Other texts are returned unchanged.
std::string readable_failure(const std::string& text);

// The API path of a repository: "acme/app" -> "acme/app" with each segment encoded.
std::string repository_path(const std::string& namespace_name, const std::string& repository);

}  // namespace regscan::quay
