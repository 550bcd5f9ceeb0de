#include "acr_challenge.hpp"

#include "acr_cloud.hpp"

#include "regscan/challenge.hpp"
#include "regscan/host.hpp"
#include "regscan/url.hpp"

namespace regscan::acr {

std::optional<std::map<std::string, std::string>> bearer_challenge(std::string_view header_value) {
    for (auto& challenge : sdk::parse_challenges(header_value))
        if (sdk::iequals(challenge.scheme, "Bearer")) return std::move(challenge.params);
    return std::nullopt;
}

std::string challenge_tenant(const std::map<std::string, std::string>& params) {
    if (auto it = params.find("tenant"); it != params.end() && !it->second.empty()) return it->second;
    for (const char* key : {"authorization_uri", "authorization"}) {
        auto it = params.find(key);
        if (it == params.end()) continue;
        std::string path = sdk::parse_url(it->second).path;
        path = path.substr(0, path.find('?'));
        while (!path.empty() && path.front() == '/') path.erase(0, 1);
        std::string segment = path.substr(0, path.find('/'));
        if (!segment.empty()) return segment;
    }
    return {};
}

bool challenge_names_acr(std::string_view header_value) {
    auto params = bearer_challenge(header_value);
    return params && params->count("realm") && is_acr_host(sdk::parse_url(params->at("realm")).host);
}

}  // namespace regscan::acr
