// Which Nexus repositories a run walks, why, and where their images are
// pulled from. The decisions, made for a user who wants every image once:
//  - hosted: walked, they hold the organisation's own images;
//  - proxy: walked, but they are caches: only what was pulled through them so
//    far is listed (not the remote's whole content) - which is what is in use;
//  - group: skipped unless named, since it serves its members' images again;
//    named with --nexus-repository, it is walked as its clients see it;
//  - offline repositories and other formats: skipped.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nexus_api.hpp"
#include "nexus_config.hpp"

namespace regscan::nexus {

struct Target {
    std::string name;  // the Nexus repository
    std::string type;  // hosted, proxy, group
    std::string why;   // for the log: "hosted: its own images"
};

struct Walk {
    std::vector<Target> targets;
    std::vector<std::string> skipped;  // log lines: the first few skipped repositories, then counts
};

// `settings` is empty when repositorySettings was refused (it needs an
// administrator). A listed name that fails valid_repository_name is never
// walked (it would go into request paths); a name listed twice is walked once.
// Throws sdk::Error(REGSCAN_BAD_ARGUMENT) naming every
// --nexus-repository that is unknown, unreadable or not docker.
Walk plan_walk(const std::vector<NexusRepository>& repositories,
               const std::map<std::string, RepositorySettings>& settings, const std::vector<std::string>& named);

// Where one repository's /v2/ API is reached.
struct PullPlace {
    std::string base;       // Repository::pull_base: "http://host:8082" or "https://host/repository/name"
    std::string authority;  // "host:8082" for a connector (the reference clients pull by), "" path-based
    std::string how;        // for the log
};

// A connector never downgrades an https:// server URL to plain HTTP. Throws
// sdk::Error(REGSCAN_BAD_ARGUMENT) under --nexus-pull=connector when there is none.
PullPlace pull_place(const NexusConfig& config, const std::string& repository, const RepositorySettings* settings);

}  // namespace regscan::nexus
