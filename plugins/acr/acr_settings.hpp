// How this session signs in, from the credentials and the plugin's options.
#pragma once

#include <string>

#include "regscan/registry.hpp"

namespace regscan::acr {

enum class AuthMode {
    automatic,          // credentials: Basic first, then service principal; none: managed identity
    basic,              // admin user or repository-scoped token (or anything ACR takes as Basic)
    service_principal,  // --username = client id, --password = client secret
    managed_identity,   // IMDS
    identity_token,     // docker's identity token (az acr login): an ACR refresh token, exchanged as is
};

struct AuthSettings {
    AuthMode mode = AuthMode::automatic;
    std::string username;
    std::string password;
    std::string tenant;              // --acr-tenant / AZURE_TENANT_ID
    std::string authority_host;      // Entra ID, per cloud unless overridden
    std::string resource;            // audience of the Entra ID token ACR exchanges
    std::string imds_endpoint;       // --azure-imds-endpoint / AZURE_IMDS_ENDPOINT
    std::string identity_client_id;  // user-assigned managed identity
    std::string identity_token;      // docker's, from the core's session option (never a Basic password)

    [[nodiscard]] bool has_credentials() const { return !username.empty() || !password.empty(); }
};

// The options this plugin declares (see Registry::options in acr_plugin.cpp).
inline constexpr const char* option_auth = "acr-auth";
inline constexpr const char* option_tenant = "acr-tenant";
inline constexpr const char* option_audience = "acr-audience";
inline constexpr const char* option_authority_host = "azure-authority-host";
inline constexpr const char* option_client_id = "azure-client-id";
inline constexpr const char* option_imds_endpoint = "azure-imds-endpoint";
// Set by the core (not a command-line option) when docker's configuration
// holds an identity token for the registry.
inline constexpr const char* option_identity_token = "docker-identity-token";

inline constexpr const char* default_imds_endpoint = "http://169.254.169.254";

// Throws sdk::Error for an unknown --acr-auth or a mode without what it needs.
AuthSettings read_settings(const sdk::SessionConfig& config);

const char* mode_name(AuthMode mode);

}  // namespace regscan::acr
