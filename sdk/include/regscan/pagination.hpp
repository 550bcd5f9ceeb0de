// Pagination shared by every plugin: RFC 8288 `Link: <...>; rel="next"`
// (distribution, ACR, Harbor) and the OCI /v2/ catalog and tag listings.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/host.hpp"
#include "regscan/paging.hpp"
#include "regscan/url.hpp"

namespace regscan::sdk {

// Fetches `first_url` and every page its Link headers lead to, handing each
// parsed JSON body to `page` (for_each_page's protections apply).
inline void for_each_link_page(const Host& host, const std::string& first_url, bool registry_auth,
                               const std::function<void(const nlohmann::json&)>& page) {
    HttpRequest request;
    request.url = first_url;
    request.registry_auth = registry_auth;
    request.headers.emplace_back("Accept", "application/json");
    for_each_page(host, std::move(request), next_page::link(), [&](const Page& p) { page(p.body); });
}

// Collects the strings of `key` (an array, or null for none) over all pages,
// stopping once there are more than `max_items` (0: no limit).
inline std::vector<std::string> collect_link_pages(const Host& host, const std::string& first_url,
                                                   const std::string& key, bool registry_auth,
                                                   size_t max_items = 0) {
    std::vector<std::string> items;
    for_each_link_page(host, first_url, registry_auth, [&](const nlohmann::json& body) {
            if (!body.is_object()) throw Error(REGSCAN_ERROR, "GET " + first_url + ": expected a JSON object");
            auto it = body.find(key);
            if (it == body.end() || it->is_null()) return;
            if (!it->is_array())
                throw Error(REGSCAN_ERROR, "GET " + first_url + ": \"" + key + "\" is not an array");
            for (const auto& item : *it)
                if (item.is_string()) items.push_back(item.get<std::string>());
            if (max_items && items.size() > max_items) throw StopPages{};
    });
    return items;
}

// The page size asked of /v2/ listings. Always sent: CNCF distribution
// answers only 100 entries when `n` is missing.
inline constexpr int v2_page_size = 1000;

// GET <base>/v2/_catalog, all pages (or until more than `max_items`).
inline std::vector<std::string> v2_catalog(const Host& host, const std::string& base, size_t max_items = 0) {
    return collect_link_pages(host, base + "/v2/_catalog?n=" + std::to_string(v2_page_size), "repositories", true,
                              max_items);
}

// GET <base>/v2/<name>/tags/list, all pages (or until more than `max_items`).
inline std::vector<std::string> v2_tags(const Host& host, const std::string& base, const std::string& name,
                                        size_t max_items = 0) {
    return collect_link_pages(host, base + "/v2/" + name + "/tags/list?n=" + std::to_string(v2_page_size), "tags",
                              true, max_items);
}

}  // namespace regscan::sdk
