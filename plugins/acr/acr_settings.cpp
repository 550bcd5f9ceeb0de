#include "acr_settings.hpp"

#include "acr_cloud.hpp"
#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::acr {

const char* mode_name(AuthMode mode) {
    switch (mode) {
        case AuthMode::automatic: return "auto";
        case AuthMode::basic: return "basic";
        case AuthMode::service_principal: return "service-principal";
        case AuthMode::managed_identity: return "managed-identity";
        case AuthMode::identity_token: return "identity-token";
    }
    return "auto";
}

AuthSettings read_settings(const sdk::SessionConfig& config) {
    AuthSettings settings;
    settings.username = config.username;
    settings.password = config.password;

    const std::string mode = config.option(option_auth, "auto");
    bool known = false;
    for (auto candidate : {AuthMode::automatic, AuthMode::basic, AuthMode::service_principal,
                           AuthMode::managed_identity})
        if (mode == mode_name(candidate)) settings.mode = candidate, known = true;
    if (!known)
        throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--acr-auth must be auto, basic, service-principal or managed-identity, not '" +
                                            mode + "'");
    if ((settings.mode == AuthMode::basic || settings.mode == AuthMode::service_principal) &&
        (settings.username.empty() || settings.password.empty()))
        throw sdk::Error(REGSCAN_AUTH_FAILED, std::string("--acr-auth=") + mode_name(settings.mode) +
                                                  " needs --username and --password");

    // docker's identity token (what az acr login leaves) is used when nothing
    // else was asked for; its username is a placeholder, never sent.
    settings.identity_token = config.option(option_identity_token);
    if (settings.mode == AuthMode::automatic && !settings.identity_token.empty()) settings.mode = AuthMode::identity_token;

    const AzureCloud cloud = cloud_for_host(sdk::parse_url(config.url).host);
    settings.tenant = config.option(option_tenant);
    settings.authority_host = config.option(option_authority_host, cloud.authority_host);
    settings.resource = config.option(option_audience, cloud.resource);
    settings.imds_endpoint = config.option(option_imds_endpoint, default_imds_endpoint);
    settings.identity_client_id = config.option(option_client_id);
    return settings;
}

}  // namespace regscan::acr
