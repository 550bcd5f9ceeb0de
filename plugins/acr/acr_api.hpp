// ACR's listing API (acr-data-plane spec): GET /acr/v1/_catalog and
// GET /acr/v1/<name>/_tags, n/last paging with `Link: <...>; rel="next"`.
//
// These requests carry the plugin's own access token for the exact scope
// each needs, rather than registry_auth: the core's token cache knows
// scopes only for /v2/ paths, so every /acr/v1 URL would share one cached
// token and concurrent tags() calls for different repositories would evict
// each other's, costing a 401 round trip per page.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acr_credentials.hpp"
#include "acr_oauth.hpp"
#include "regscan/host.hpp"
#include "regscan/registry.hpp"

namespace regscan::acr {

// Entries asked per page. The az CLI's value, which every ACR accepts; ACR
// pages with Link whatever the size.
inline constexpr int acr_page_size = 100;

class AcrApi {
public:
    AcrApi(sdk::Host host, std::string base, AcrEndpoint endpoint, std::shared_ptr<AcrCredentials> credentials);

    // All repository names. Throws NOT_FOUND when the registry has no /acr/v1 API.
    std::vector<std::string> repositories() const;

    std::vector<sdk::TagInfo> tags(const std::string& repository) const;

private:
    void for_each_page(const std::string& first_url, const std::string& scope,
                       const std::function<void(const nlohmann::json&, const std::string&)>& page) const;
    sdk::HttpResponse get(const std::string& url, const std::string& scope) const;

    sdk::Host host_;
    std::string base_;
    AcrEndpoint endpoint_;
    std::shared_ptr<AcrCredentials> credentials_;
};

// `repositories` of one catalog page (null or absent: none).
std::vector<std::string> catalog_names(const nlohmann::json& page, const std::string& url);

// `tags` of one tag page. createdTime is when the tag was made, not when the
// image was built, so it never becomes TagInfo.created (the core reads the
// build time from the image config); lastUpdateTime, when the tag last moved
// to its current manifest, is the push time of what it names now.
std::vector<sdk::TagInfo> tag_infos(const nlohmann::json& page, const std::string& url);

// The next page: the Link header's rel="next" (relative to `url`), else the
// body's `link` property the spec also names; "" on the last page.
std::string next_page(const std::string& url, const sdk::HttpResponse& response, const nlohmann::json& body);

}  // namespace regscan::acr
