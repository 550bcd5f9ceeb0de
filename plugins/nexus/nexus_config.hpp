// What a Nexus session needs from the user's URL, options and credentials:
// the server's base URL, which repositories to walk, how to pull, and the
// Basic credentials (a user's password or a user token's name and pass code).
#pragma once

#include <string>
#include <vector>

#include "regscan/registry.hpp"

namespace regscan::nexus {

enum class PullRoute {
    automatic,  // the repository's connector port when Nexus says it has one, else path-based
    connector,  // only connector ports: a repository without one is an error
    path,       // only /repository/<name>/v2/ on the server's own URL
};

struct NexusConfig {
    std::string base;                       // "https://nexus.example.com[/prefix]", no trailing "/"
    std::vector<std::string> repositories;  // --nexus-repository; empty: every docker repository worth scanning
    PullRoute pull = PullRoute::automatic;
    std::string username;
    std::string secret;  // password or user token pass code

    [[nodiscard]] bool anonymous() const { return username.empty(); }
};

// Nexus's rule for repository names: ^[a-zA-Z0-9-][a-zA-Z0-9_.-]*$ (and bounded).
bool valid_repository_name(const std::string& name);

// "a, b,,a" -> {"a", "b"}; throws sdk::Error(REGSCAN_BAD_ARGUMENT) for a name Nexus cannot have.
std::vector<std::string> split_repositories(const std::string& joined);

// "auto" (or ""), "connector", "path"; anything else is a bad argument.
PullRoute parse_pull_route(const std::string& value);

// Throws sdk::Error(REGSCAN_BAD_ARGUMENT) for malformed options or a password without a username.
NexusConfig nexus_config(const sdk::SessionConfig& config);

}  // namespace regscan::nexus
