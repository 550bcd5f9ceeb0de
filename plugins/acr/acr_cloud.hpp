// Which Azure cloud a registry lives in, from its login server name: each
// cloud has its own Entra ID sign-in host and Resource Manager audience.
#pragma once

#include <string>
#include <string_view>

namespace regscan::acr {

struct AzureCloud {
    std::string authority_host;  // "https://login.microsoftonline.com"
    std::string resource;        // "https://management.azure.com/"
};

// <name>.azurecr.io (public), .azurecr.cn (China), .azurecr.us (US Government).
bool is_acr_host(std::string_view host);

// The cloud of an ACR login server; the public cloud for any other host.
AzureCloud cloud_for_host(std::string_view host);

}  // namespace regscan::acr
