// Discovery of Quay namespaces. With an OAuth application token: the API
// (/api/v1/repository, then each repository's /tag/ listing with push times
// and digests). Without one but with a robot: /v2/_catalog with a token the
// robot gets from Quay's realm, then /v2/<name>/tags/list (Quay's API does
// not take a robot's Basic credentials and robots get no OAuth token).
// Without either: the API anonymously, public repositories only. Pulls use
// the core's standard /v2/ flow with the robot, or with `$oauthtoken` and the
// OAuth token when no robot was given.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "quay_config.hpp"
#include "regscan/registry.hpp"

namespace regscan::quay {

enum class Listing { api, catalog };

// The longest next_page token of a namespace listing followed (Quay's are a
// few hundred bytes); past it the namespace's listing ends with a discovery
// note, keeping the pages read.
inline constexpr size_t max_page_token = 4096;

class QuaySession final : public sdk::Session {
public:
    QuaySession(const sdk::Host& host, QuayConfig config, size_t max_repositories, size_t max_tags);

    // Registers the secrets and, with a robot, logs in to the token realm, so
    // refused credentials end the run before discovery.
    void start();
    [[nodiscard]] Listing listing() const { return listing_; }

    std::vector<sdk::Repository> repositories() override;
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository) override;
    std::optional<std::string> authorize(const sdk::AuthRequest& request) override;
    [[nodiscard]] std::optional<sdk::Credentials> pull_credentials() const override;

private:
    sdk::HttpRequest api_request(const std::string& url) const;
    // The namespace's repository names into `names`; false when the host cut
    // the listing at its bounds (no further namespace is listed then).
    bool namespace_repositories(const std::string& name, std::vector<std::string>& names);
    std::vector<sdk::Repository> catalog_repositories();
    std::vector<sdk::TagInfo> api_tags(const std::string& namespace_name, const std::string& repository);

    sdk::Host host_;
    QuayConfig config_;
    size_t max_repositories_;
    size_t max_tags_;
    Listing listing_ = Listing::api;
    std::string registry_authorization_;  // the robot's realm token (catalog listing)
};

}  // namespace regscan::quay
