// ACR's own token service (acr-data-plane spec, "AcrToken"):
//   POST /oauth2/exchange  Entra ID access token -> ACR refresh token
//   POST /oauth2/token     ACR refresh token + scope -> ACR access token
//   GET  /oauth2/token     Basic credentials (admin user, repository-scoped
//                          token, ...) + scope -> ACR access token
#pragma once

#include <optional>
#include <string>

#include "acr_token.hpp"
#include "regscan/host.hpp"

namespace regscan::acr {

// Where a registry's token service is and what it calls itself.
struct AcrEndpoint {
    std::string origin;   // "https://r.azurecr.io": /oauth2/* live here
    std::string service;  // "r.azurecr.io"
};

Token exchange_refresh_token(const sdk::Host& host, const AcrEndpoint& endpoint, const std::string& tenant,
                             const std::string& aad_access_token, TimePoint now);

Token refresh_access_token(const sdk::Host& host, const AcrEndpoint& endpoint, const std::string& scope,
                           const std::string& refresh_token, TimePoint now);

struct BasicOutcome {
    std::optional<Token> token;
    std::string refusal;  // why not, when the registry refused the credentials
};

// The registry refusing the credentials (401/403) is an answer, not an error:
// the caller may try them as a service principal next.
BasicOutcome basic_access_token(const sdk::Host& host, const AcrEndpoint& endpoint, const std::string& scope,
                                const std::string& username, const std::string& password, TimePoint now);

}  // namespace regscan::acr
