// Azure Container Registry: identified from its login server name
// (<name>.azurecr.io, .azurecr.cn, .azurecr.us), discovered through the ACR
// listing API, signed in as an admin user or token, a service principal or
// a managed identity (see docs/registries/acr.md).
#include <memory>
#include <string>

#include "acr_challenge.hpp"
#include "acr_cloud.hpp"
#include "acr_credentials.hpp"
#include "acr_session.hpp"
#include "acr_settings.hpp"
#include "regscan/plugin.hpp"
#include "regscan/url.hpp"

namespace {

using namespace regscan::sdk;
namespace acr = regscan::acr;

struct AcrRegistry {
    static constexpr const char* types = "ACR";
    static constexpr const char* options = R"json([
        {"name": "acr-auth",
         "help": "ACR sign-in: auto (credentials as admin user or token, then as service principal; none: managed identity), basic, service-principal or managed-identity"},
        {"name": "acr-tenant", "env": "AZURE_TENANT_ID",
         "help": "Entra ID tenant of the service principal given as --username (client id) and --password (secret)"},
        {"name": "azure-authority-host", "env": "AZURE_AUTHORITY_HOST",
         "help": "Entra ID sign-in host (default from the registry's cloud: https://login.microsoftonline.com, .us or chinacloudapi.cn)"},
        {"name": "azure-client-id", "env": "AZURE_CLIENT_ID",
         "help": "client id of the user-assigned managed identity to sign in with (default: the system-assigned one)"},
        {"name": "azure-imds-endpoint", "env": "AZURE_IMDS_ENDPOINT",
         "help": "Azure Instance Metadata Service address for managed identity tokens (default http://169.254.169.254)"},
        {"name": "acr-audience",
         "help": "audience of the Entra ID token exchanged at the registry (default: the cloud's Resource Manager, https://management.azure.com/)"}
    ])json";

    static Identification identify(const Host& host, const Probe& probe) {
        if (acr::is_acr_host(probe.parsed.host)) return {90, types};
        if (!probe.may_request && acr::challenge_names_acr(probe.ping_header("www-authenticate")))
            host.info(probe.parsed.host + " answers with an ACR challenge but is not an ACR login server name: it "
                      "is not taken for ACR (a managed identity signs in to ACR names only); --type ACR if it is one");
        return {0, types};
    }

    static std::unique_ptr<Session> open(const Host& host, const SessionConfig& config) {
        auto settings = acr::read_settings(config);
        const std::string base = registry_base(config.url);
        auto credentials = std::make_shared<acr::AcrCredentials>(host, std::move(settings), base);
        return std::make_unique<acr::AcrSession>(host, base, acr::endpoint_for(config.url), std::move(credentials));
    }
};

}  // namespace

REGSCAN_PLUGIN("acr", "1.0.0", "Azure Container Registry (ACR listing API; admin user, token, service principal, managed identity)",
               regscan::sdk::registry_table<AcrRegistry>(), nullptr, nullptr)
