// What a plugin's session is given of the user's credentials (sdk::SessionConfig).
#pragma once

#include <map>
#include <string>

#include "auth/registry_auth.hpp"
#include "regscan/registry.hpp"

namespace regscan::auth {

// The session option carrying docker's identity token to a plugin with its
// own token flow (ACR exchanges it at its registry's /oauth2/token).
inline constexpr const char* identity_token_option = "docker-identity-token";

// The settings of a plugin's session: the username and password as they are;
// an identity token only as identity_token_option, which a plugin reads only
// if it exchanges refresh tokens, so no plugin sends it as a Basic password.
inline sdk::SessionConfig session_config(std::string url, std::string type, const Credentials& credentials,
                                         std::map<std::string, std::string> options) {
    if (!credentials.identity_token.empty()) options[identity_token_option] = credentials.identity_token;
    return sdk::SessionConfig{std::move(url), std::move(type), credentials.username, credentials.password,
                              std::move(options)};
}

}  // namespace regscan::auth
