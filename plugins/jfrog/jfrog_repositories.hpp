// Which Artifactory Docker repositories a run walks, from
// GET /artifactory/api/repositories?packageType=docker.
//
// By default the local and federated ones: they hold the images that were
// pushed. A remote repository is a cache of another registry (what was
// pulled through it, not what you build), and a virtual one repeats its
// members under another name, so both are walked only when asked for by
// type (--jfrog-repository-type) or by key (--jfrog-repository, or the URL).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jfrog_config.hpp"
#include "regscan/text.hpp"

namespace regscan::jfrog {

struct ArtRepository {
    std::string key;
    std::string type;  // lowercase: local, federated, remote, virtual (or what Artifactory said)
};

// The entries of /api/repositories with a valid key; others are dropped.
std::vector<ArtRepository> parse_repository_list(const nlohmann::json& body, const std::string& url);

std::string repositories_url(const std::string& api);

// Repositories named one by one in the log or an error; the rest are
// counted (a hostile list of 240,000 keys would be as many log lines).
inline constexpr size_t named_repositories = 10;
// A "key (type): why" line: a key is short, a type Artifactory made up need not be.
inline constexpr size_t skipped_line_bytes = 512;

struct Selection {
    std::vector<ArtRepository> walk;
    // Every repository left out by type; the first named_repositories as "key (type): why", for the log.
    sdk::NameSample skipped{named_repositories, skipped_line_bytes};
    std::string note;  // something the user must read, or ""
};

// Throws REGSCAN_BAD_ARGUMENT for a --jfrog-repository (or certain URL key)
// that is not among `listed`.
Selection select_repositories(const std::vector<ArtRepository>& listed, const JfrogConfig& config);

}  // namespace regscan::jfrog
