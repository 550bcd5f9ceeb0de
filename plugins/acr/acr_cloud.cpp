#include "acr_cloud.hpp"

#include <array>

namespace regscan::acr {
namespace {

struct CloudSuffix {
    std::string_view suffix;
    std::string_view authority_host;
    std::string_view resource;
};

constexpr std::array<CloudSuffix, 3> clouds{{
    {".azurecr.io", "https://login.microsoftonline.com", "https://management.azure.com/"},
    {".azurecr.cn", "https://login.chinacloudapi.cn", "https://management.chinacloudapi.cn/"},
    {".azurecr.us", "https://login.microsoftonline.us", "https://management.usgovcloudapi.net/"},
}};

// A suffix match with at least one label before it, so "azurecr.io" itself
// and "x.azurecr.io.evil.example" are not registries.
bool has_suffix(std::string_view host, std::string_view suffix) {
    return host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_acr_host(std::string_view host) {
    for (const auto& cloud : clouds)
        if (has_suffix(host, cloud.suffix)) return true;
    return false;
}

AzureCloud cloud_for_host(std::string_view host) {
    for (const auto& cloud : clouds)
        if (has_suffix(host, cloud.suffix)) return {std::string(cloud.authority_host), std::string(cloud.resource)};
    return {std::string(clouds[0].authority_host), std::string(clouds[0].resource)};
}

}  // namespace regscan::acr
