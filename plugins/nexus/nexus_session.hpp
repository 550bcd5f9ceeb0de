// A Nexus Repository 3 session: the REST API lists repositories, their
// connector ports (administrators only) and their components; the core then
// reads each image through the repository's connector port or its
// path-based /repository/<name>/v2/ route, with the user's Basic credentials.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nexus_api.hpp"
#include "nexus_components.hpp"
#include "nexus_config.hpp"
#include "nexus_walk.hpp"
#include "regscan/error.hpp"
#include "regscan/registry.hpp"

namespace regscan::nexus {

class NexusSession final : public sdk::Session {
public:
    // max_repositories / max_tags: SessionConfig's (0: not said), what the core keeps.
    NexusSession(const sdk::Host& host, NexusConfig config, size_t max_repositories = 0, size_t max_tags = 0);

    // Reads the repository list and, when allowed, their settings: refused
    // credentials end the run here, before any image is read.
    void sign_in();

    std::vector<sdk::Repository> repositories() override;
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository) override;

private:
    [[nodiscard]] sdk::HttpRequest rest_request(const std::string& path) const;
    nlohmann::json get_json(const std::string& path);
    void read_settings();
    // One Nexus repository's components, page by page into `listing`, following
    // continuationToken until the last page or until `listing` is full. False
    // when the host cut the listing at its bounds: no further listing starts.
    bool list_components(const std::string& repository, ImageListing& listing);

    sdk::Host host_;
    NexusConfig config_;
    std::string authorization_;  // "Basic ..." or "" when anonymous
    std::vector<NexusRepository> listed_;
    std::map<std::string, RepositorySettings> settings_;
    Walk walk_;
    size_t max_repositories_;
    size_t max_tags_;

    struct Listed {
        std::vector<sdk::TagInfo> tags;
        std::optional<sdk::Error> failure;  // the repository's components could not be listed
    };
    std::mutex mutex_;
    std::map<std::string, Listed> by_name_;  // Repository::name -> what tags() answers, once
};

}  // namespace regscan::nexus
