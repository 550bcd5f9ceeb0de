// A JFrog Artifactory run: repositories and tags from the REST API, images
// read by the core through each repository's Docker access address.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jfrog_api.hpp"
#include "jfrog_config.hpp"
#include "regscan/registry.hpp"

namespace regscan::jfrog {

class JfrogSession : public sdk::Session {
public:
    JfrogSession(const sdk::Host& host, JfrogConfig config, size_t max_repositories = 0, size_t max_tags = 0);

    std::vector<sdk::Repository> repositories() override;
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository) override;
    // An access token alone goes to the /v2/ flow as a token (Bearer), not
    // as a password without a user.
    [[nodiscard]] std::optional<sdk::Credentials> pull_credentials() const override;

private:
    sdk::Host host_;
    JfrogConfig config_;
    ArtifactoryApi api_;
    size_t max_repositories_;
    size_t max_tags_;
};

}  // namespace regscan::jfrog
