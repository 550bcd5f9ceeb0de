// The Bearer challenge of a WWW-Authenticate header, as ACR sends it (parsed
// by the SDK's regscan/challenge.hpp):
//   Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",scope="registry:catalog:*"
// The plugin reads it on the ACR API (the core parses /v2/ challenges itself).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::acr {

// The auth-params (lowercase names) of the first Bearer challenge, or nullopt.
std::optional<std::map<std::string, std::string>> bearer_challenge(std::string_view header_value);

// The Entra ID tenant a challenge names, if any: a `tenant` param, or the first
// path segment of `authorization_uri` / `authorization` (the form Resource
// Manager uses: authorization_uri="https://login.windows.net/<tenant>").
std::string challenge_tenant(const std::map<std::string, std::string>& params);

// Whether a /v2/ challenge names an ACR realm (*.azurecr.*). Never enough to
// take a registry of another name for ACR: its own word would have this
// machine's managed identity signed in to it; such a name needs --type ACR.
bool challenge_names_acr(std::string_view header_value);

}  // namespace regscan::acr
