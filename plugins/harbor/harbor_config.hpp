// What a Harbor session needs from the user's URL, options and credentials:
// where the API lives, which projects to walk, the page size to ask for.
#pragma once

#include <string>
#include <vector>

#include "regscan/registry.hpp"

namespace regscan::harbor {

// Harbor refuses page_size above 100 (422 "page_size in query should be less
// than or equal to 100"); 100 is also the fewest requests.
inline constexpr int max_page_size = 100;

struct HarborConfig {
    std::string base;  // "https://harbor.example.com": /api/v2.0 and /v2/ hang off it
    std::vector<std::string> projects;  // --harbor-project; empty: every project the account sees
    std::string username;
    std::string password;
    int page_size = max_page_size;

    [[nodiscard]] bool anonymous() const { return username.empty() && password.empty(); }
};

// The origin (and any path prefix) of a registry URL, without a Harbor web
// console path (/harbor/projects/3/repositories) or a /v2 suffix.
std::string api_base(const std::string& url);

// A Harbor project name: lowercase letters, digits and ._- , starting with a
// letter or digit, at most 255 characters (so never "..", nor a "/").
bool valid_project(const std::string& name);

// "a, b,,a" -> {"a", "b"}: trimmed, duplicates dropped, order kept. Throws
// sdk::Error(REGSCAN_BAD_ARGUMENT) for a name Harbor cannot have as a project.
std::vector<std::string> split_projects(const std::string& joined);

// The project of a project-level robot account ("robot$team+ci" -> "team"),
// or "" for any other account (a system robot "robot$ci", a user).
std::string robot_project(const std::string& username);

// Throws sdk::Error(REGSCAN_BAD_ARGUMENT) for a bad option value.
HarborConfig harbor_config(const sdk::SessionConfig& config);

}  // namespace regscan::harbor
