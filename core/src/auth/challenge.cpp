#include "auth/challenge.hpp"

#include "regscan/url.hpp"

namespace regscan::auth {

std::string scope_for_url(std::string_view url) {
    std::string path = sdk::parse_url(url).path;
    path = path.substr(0, path.find('?'));
    auto v2 = path.find("/v2/");
    if (v2 == std::string::npos) return {};
    std::string rest = path.substr(v2 + 4);
    if (rest == "_catalog") return "registry:catalog:*";
    for (const char* marker : {"/manifests/", "/blobs/", "/tags/list", "/referrers/"}) {
        auto at = rest.rfind(marker);
        if (at != std::string::npos && at > 0) return "repository:" + rest.substr(0, at) + ":pull";
    }
    return {};
}

}  // namespace regscan::auth
