#include "nexus_config.hpp"

#include <algorithm>
#include <cctype>

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::nexus {

bool valid_repository_name(const std::string& name) {
    if (name.empty() || name.size() > 200) return false;
    auto ok = [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; };
    if (!std::isalnum(static_cast<unsigned char>(name.front())) && name.front() != '-') return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return ok(static_cast<unsigned char>(c)); });
}

std::vector<std::string> split_repositories(const std::string& joined) {
    auto names = sdk::split_option_list(joined);
    for (const auto& name : names)
        if (!valid_repository_name(name))
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--nexus-repository: '" + name +
                                                       "' is not a Nexus repository name (letters, digits, '-', "
                                                       "'_', '.', not starting with '_' or '.')");
    return names;
}

PullRoute parse_pull_route(const std::string& value) {
    if (value.empty() || value == "auto") return PullRoute::automatic;
    if (value == "connector") return PullRoute::connector;
    if (value == "path") return PullRoute::path;
    throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--nexus-pull must be auto, connector or path, not '" + value + "'");
}

NexusConfig nexus_config(const sdk::SessionConfig& config) {
    NexusConfig nexus;
    nexus.base = sdk::registry_base(config.url);
    nexus.repositories = split_repositories(config.option("nexus-repository"));
    nexus.pull = parse_pull_route(config.option("nexus-pull"));
    nexus.username = config.username;
    nexus.secret = config.password;
    if (nexus.username.empty() && !nexus.secret.empty())
        throw sdk::Error(REGSCAN_BAD_ARGUMENT,
                         "Nexus signs in with a username and a password, or a user token's name code (as "
                         "--username) and pass code (as --password): give --username too");
    return nexus;
}

}  // namespace regscan::nexus
