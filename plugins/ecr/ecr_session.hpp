// A scan of one ECR registry: repositories and images from the ECR API, and
// the registry's Basic credentials from GetAuthorizationToken.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecr_api.hpp"
#include "regscan/registry.hpp"

namespace regscan::ecr {

class EcrSession final : public sdk::Session {
public:
    // registry_id: the account whose registry is listed ("" = the caller's own).
    EcrSession(sdk::Host host, Environment env, std::unique_ptr<EcrApi> api, std::string registry_id,
               std::string registry_url);

    std::vector<sdk::Repository> repositories() override;
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository) override;
    // "Basic <token>" for requests to this registry's host; nothing for other hosts.
    std::optional<std::string> authorize(const sdk::AuthRequest& request) override;

    // Entries asked per page: the API's maximum.
    static constexpr int page_size = 1000;
    // Fetch a new registry token this long before the old one expires (or at
    // half its life when that is shorter).
    static constexpr std::chrono::minutes token_margin{15};

private:
    // Every page of a paginated operation, handing each answer to `page`.
    void paginate(const std::string& operation, nlohmann::json input, const std::string& subject,
                  const std::function<void(const nlohmann::json&)>& page);
    // Digests of the manifests that the repository's indexes list: ECR shows
    // them as untagged images, but they are platforms of a tagged image.
    // nullopt when the host cut the listing before every index was read.
    std::optional<std::set<std::string>> index_children(const sdk::Repository& repository,
                                                        const std::vector<std::string>& indexes);
    void fetch_token();

    sdk::Host host_;
    Environment env_;
    std::unique_ptr<EcrApi> api_;
    std::string registry_id_;
    std::string registry_base_;
    std::string registry_authority_;

    std::mutex token_mutex_;
    std::string authorization_;
    TimePoint refresh_at_{};
};

// Whether a manifest media type is an index of platforms (OCI index, Docker manifest list).
bool is_index_media_type(const std::string& media_type);

}  // namespace regscan::ecr
