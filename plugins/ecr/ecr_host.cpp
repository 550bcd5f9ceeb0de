#include "ecr_host.hpp"

#include <regex>

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::ecr {

bool is_region_name(std::string_view region) {
    static const std::regex pattern("[a-z]{2}(-[a-z]+)+-[0-9]+");
    return std::regex_match(region.begin(), region.end(), pattern);
}

std::optional<RegistryHost> parse_registry_host(std::string_view host) {
    static const std::regex classic(R"(([0-9]{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?)");
    static const std::regex dual_stack(R"(([0-9]{12})\.dkr-ecr(-fips)?\.([a-z0-9-]+)\.on\.aws)");
    std::match_results<std::string_view::const_iterator> m;
    RegistryHost registry;
    if (std::regex_match(host.begin(), host.end(), m, classic)) {
        registry.china = m[4].matched;
    } else if (std::regex_match(host.begin(), host.end(), m, dual_stack)) {
        registry.dual_stack = true;
    } else {
        return std::nullopt;
    }
    registry.account = m[1].str();
    registry.fips = m[2].matched;
    registry.region = m[3].str();
    if (!is_region_name(registry.region)) return std::nullopt;
    return registry;
}

std::string default_api_endpoint(const RegistryHost& r) {
    if (r.dual_stack) return "https://" + std::string(r.fips ? "ecr-fips." : "ecr.") + r.region + ".api.aws";
    if (r.fips) return "https://ecr-fips." + r.region + ".amazonaws.com";
    return "https://api.ecr." + r.region + ".amazonaws.com" + (r.china ? ".cn" : "");
}

std::string default_sts_endpoint(const RegistryHost& r) {
    if (r.fips && !r.china) return "https://sts-fips." + r.region + ".amazonaws.com";
    return "https://sts." + r.region + ".amazonaws.com" + (r.china ? ".cn" : "");
}

Endpoint endpoint_from(const std::string& text) {
    auto url = sdk::parse_url(text);
    if (text.find("://") == std::string::npos || (url.scheme != "https" && url.scheme != "http") || url.host.empty())
        throw sdk::Error(REGSCAN_BAD_ARGUMENT, "endpoint '" + text + "' is not an http(s) URL");
    std::string path = url.path.substr(0, url.path.find('?'));
    if (path.empty() || path.back() != '/') path += '/';
    return {url.origin() + path, url.authority(), path};
}

}  // namespace regscan::ecr
