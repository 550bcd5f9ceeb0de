// Pagination shared by every plugin: RFC 8288 `Link: <...>; rel="next"`
// (distribution, ACR, Harbor) and the OCI /v2/ catalog and tag listings.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/host.hpp"
#include "regscan/url.hpp"

namespace regscan::sdk {

// Error texts of requests the host refused because a listing ran past its
// bounds (pages, bytes, time) start with this.
inline constexpr const char* listing_limit_marker = "listing limit: ";

// Fetches `first_url` and every page its Link headers lead to, handing each
// parsed JSON body to `page`. A Link to another origin (scheme, host, port)
// is refused: it would take the registry's credentials elsewhere and merge
// another server's answers into this one's. Stops on a repeated URL, so a
// registry that links a page to itself cannot loop us forever; when the host
// refuses a further page (its listing limits), keeps the pages read so far
// (the host reports the listing as cut short).
inline void for_each_link_page(const Host& host, const std::string& first_url, bool registry_auth,
                               const std::function<void(const nlohmann::json&)>& page) {
    std::set<std::string> seen;
    const std::string origin = parse_url(first_url).origin();
    for (std::string url = first_url; !url.empty() && seen.insert(url).second;) {
        if (parse_url(url).origin() != origin)
            throw Error(REGSCAN_ERROR, "GET " + first_url + ": pagination link to another origin refused: " + url);
        HttpRequest request;
        request.url = url;
        request.registry_auth = registry_auth;
        request.headers.emplace_back("Accept", "application/json");
        auto response = host.http(request);
        if (!response.ok()) {
            if (url != first_url && response.status == 0 && response.error.rfind(listing_limit_marker, 0) == 0) return;
            throw Error(status_of(response), request.method + " " + url + ": " + response.describe());
        }
        nlohmann::json body;
        try {
            body = nlohmann::json::parse(response.body);
        } catch (const nlohmann::json::exception& e) {
            throw Error(REGSCAN_ERROR, "GET " + url + ": response is not JSON (" + std::string(e.what()) + ")");
        }
        page(body);
        auto link = response.header("Link");
        url = link ? resolve_url(url, next_link(*link)) : std::string{};
        if (link && next_link(*link).empty()) url.clear();
    }
}

// Thrown inside a page callback to stop following pages: what was collected
// is kept (the listing reached the most items the core keeps).
struct StopPages {};

// Collects the strings of `key` (an array, or null for none) over all pages,
// stopping once there are more than `max_items` (0: no limit).
inline std::vector<std::string> collect_link_pages(const Host& host, const std::string& first_url,
                                                   const std::string& key, bool registry_auth,
                                                   size_t max_items = 0) {
    std::vector<std::string> items;
    try {
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
    } catch (const StopPages&) {
    }
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
