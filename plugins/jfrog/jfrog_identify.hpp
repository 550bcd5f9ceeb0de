// Telling an Artifactory from its URL, its /v2/ ping, or (second pass only)
// one unauthenticated GET of /artifactory/api/system/ping.
#pragma once

#include <string>

#include "regscan/host.hpp"
#include "regscan/registry.hpp"

namespace regscan::jfrog {

inline constexpr const char* registry_type = "JFROG";

// JFrog Cloud: <server>.jfrog.io (and its subdomain access names).
bool is_jfrog_cloud_host(const std::string& host);

// X-JFrog-Version or X-Artifactory-Id: every Artifactory answer carries one.
bool has_vendor_header(const sdk::Probe& probe);
bool has_vendor_header(const sdk::HttpResponse& response);

// Pass 1, from the URL and the ping: 100, 90 or 0.
int score_without_requests(const sdk::Probe& probe);

// Pass 2: what the system ping answered proves Artifactory (90) or not (0).
// `OK` with 200, or an Artifactory's own headers or Basic realm on any status.
int score_of_system_ping(const sdk::HttpResponse& response);

// <origin>/artifactory/api/system/ping of the probed URL.
std::string system_ping_url(const sdk::Probe& probe);

sdk::Identification identify(const sdk::Host& host, const sdk::Probe& probe);

}  // namespace regscan::jfrog
