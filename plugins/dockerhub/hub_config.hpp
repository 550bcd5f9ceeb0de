// What a Docker Hub session needs, taken from the user's URL, options and
// credentials: where the Hub API and the registry live, and which
// namespaces (accounts or organisations) to list.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "regscan/registry.hpp"

namespace regscan::dockerhub {

inline constexpr const char* default_api = "https://hub.docker.com";
inline constexpr const char* default_registry = "https://registry-1.docker.io";
// How long opening a session waits for the pull-limit probe (--pull-limit-timeout).
inline constexpr std::chrono::seconds default_pull_limit_timeout{5};
inline constexpr std::chrono::seconds max_pull_limit_timeout{600};

struct HubConfig {
    std::string api;       // Hub API base, e.g. "https://hub.docker.com"
    std::string registry;  // V2 registry base that pulls go to
    std::vector<std::string> namespaces;
    std::string username;
    std::string secret;  // password or personal access token
    // `registry` is not one of Docker Hub's host names (--hub-registry names a
    // mirror or a pull-through cache): its limits are not Docker Hub's.
    bool pulls_from_mirror = false;
    // 0: the pull limit is not read.
    std::chrono::milliseconds pull_limit_timeout = default_pull_limit_timeout;

    [[nodiscard]] bool anonymous() const { return username.empty() || secret.empty(); }
};

// The host names Docker Hub answers on (web/API and registry aliases).
bool is_docker_hub_host(const std::string& host);

// "a, b,,a" -> {"a", "b"}: trimmed, lowercased, duplicates dropped, order kept.
// Throws sdk::Error for a name that cannot be a Docker Hub namespace.
std::vector<std::string> split_namespaces(const std::string& joined);

// The namespace a Docker Hub web address names (/u/NS, /orgs/NS, /r/NS/...), or "".
std::string namespace_from_url(const std::string& url);

// Namespaces: --namespace, else the web address, else the username. Throws
// sdk::Error when none is given or an endpoint override is malformed.
HubConfig hub_config(const sdk::SessionConfig& config);

}  // namespace regscan::dockerhub
