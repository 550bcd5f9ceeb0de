#include "acr_session.hpp"

#include "regscan/error.hpp"
#include "regscan/pagination.hpp"
#include "regscan/url.hpp"

namespace regscan::acr {

AcrEndpoint endpoint_for(const std::string& registry_url) {
    auto url = sdk::parse_url(registry_url);
    return {url.origin(), url.host};
}

AcrSession::AcrSession(sdk::Host host, std::string base, AcrEndpoint endpoint,
                       std::shared_ptr<AcrCredentials> credentials)
    : host_(host),
      base_(std::move(base)),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      api_(host_, base_, endpoint_, credentials_) {}

std::vector<sdk::Repository> AcrSession::repositories() {
    std::vector<std::string> names;
    try {
        names = api_.repositories();
    } catch (const sdk::Error& e) {
        if (e.status() != REGSCAN_NOT_FOUND) throw;
        host_.info("The registry has no ACR listing API (" + std::string(e.what()) + "); listing through /v2/_catalog");
        v2_only_ = true;
        names = sdk::v2_catalog(host_, base_);
    }
    std::vector<sdk::Repository> repositories;
    repositories.reserve(names.size());
    for (auto& name : names) repositories.push_back({std::move(name), {}, {}});
    return repositories;
}

std::vector<sdk::TagInfo> AcrSession::tags(const sdk::Repository& repository) {
    if (!v2_only_) return api_.tags(repository.name);
    std::vector<sdk::TagInfo> tags;
    for (auto& tag : sdk::v2_tags(host_, base_, repository.name)) {
        sdk::TagInfo info;
        info.tag = std::move(tag);
        tags.push_back(std::move(info));
    }
    return tags;
}

std::optional<std::string> AcrSession::authorize(const sdk::AuthRequest& request) {
    // A Basic challenge is not ACR's token flow: the core's Basic answer fits it.
    if (!sdk::iequals(request.challenge_scheme, "Bearer") || request.scope.empty()) return std::nullopt;
    // Tokens go to our own registry's /oauth2 endpoints whatever realm the
    // challenge names: an Entra ID token for Resource Manager must never be
    // handed to a host a response pointed us at.
    AcrEndpoint endpoint = endpoint_;
    if (auto it = request.challenge_params.find("service"); it != request.challenge_params.end() && !it->second.empty())
        endpoint.service = it->second;
    return credentials_->authorization(endpoint, request.scope);
}

}  // namespace regscan::acr
