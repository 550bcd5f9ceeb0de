// The Entra ID access token that ACR exchanges for its own refresh token:
// a service principal's client-credentials grant, or a managed identity's
// token from the Instance Metadata Service (IMDS).
#pragma once

#include <string>

#include "acr_token.hpp"
#include "regscan/host.hpp"

namespace regscan::acr {

struct ServicePrincipal {
    std::string authority_host;  // "https://login.microsoftonline.com"
    std::string tenant;
    std::string client_id;
    std::string client_secret;
};

// POST <authority>/<tenant>/oauth2/v2.0/token grant_type=client_credentials,
// scope "<resource>/.default". Throws AUTH_FAILED when Entra ID refuses.
Token service_principal_token(const sdk::Host& host, const ServicePrincipal& principal, const std::string& resource,
                              TimePoint now);

struct ManagedIdentity {
    std::string imds_endpoint;  // "http://169.254.169.254", or the full token URL
    std::string client_id;      // a user-assigned identity; empty: the system-assigned one
};

// GET <imds>/metadata/identity/oauth2/token?api-version=2018-02-01&resource=...
// with `Metadata: true`. Throws AUTH_FAILED when there is no identity.
Token managed_identity_token(const sdk::Host& host, const ManagedIdentity& identity, const std::string& resource,
                             TimePoint now);

// "https://management.azure.com/" -> "https://management.azure.com/.default"
std::string default_scope(const std::string& resource);

// The IMDS token URL for an endpoint given as a base address or a full URL.
std::string imds_token_url(const std::string& endpoint);

}  // namespace regscan::acr
