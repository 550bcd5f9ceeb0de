// One scan of an Azure Container Registry: discovery through the ACR API,
// or through /v2/_catalog where the registry has no /acr/v1 (404); /v2/
// challenges answered with the session's ACR access tokens.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acr_api.hpp"
#include "acr_credentials.hpp"
#include "regscan/registry.hpp"

namespace regscan::acr {

class AcrSession final : public sdk::Session {
public:
    AcrSession(sdk::Host host, std::string base, AcrEndpoint endpoint, std::shared_ptr<AcrCredentials> credentials);

    std::vector<sdk::Repository> repositories() override;
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository) override;
    std::optional<std::string> authorize(const sdk::AuthRequest& request) override;

private:
    sdk::Host host_;
    std::string base_;
    AcrEndpoint endpoint_;
    std::shared_ptr<AcrCredentials> credentials_;
    AcrApi api_;
    std::atomic<bool> v2_only_{false};
};

// The token service of the registry at `registry_url`: its own origin, and
// its host as the service name (what ACR's challenge says).
AcrEndpoint endpoint_for(const std::string& registry_url);

}  // namespace regscan::acr
