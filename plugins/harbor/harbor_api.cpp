#include "harbor_api.hpp"

#include <cctype>

#include "regscan/base64.hpp"
#include "regscan/error.hpp"
#include "regscan/paging.hpp"
#include "regscan/url.hpp"

namespace regscan::harbor {

std::string Listing::total_change() const {
    if (!total_changed || !first_total || !last_total) return {};
    return std::to_string(*first_total) + " -> " + std::to_string(*last_total);
}

std::string project_segment(const std::string& project) { return sdk::url_encode(project); }

std::string repository_segment(const std::string& name_in_project) {
    return sdk::url_encode(sdk::url_encode(name_in_project));
}

std::optional<long long> total_count(const sdk::HttpResponse& response) {
    auto value = response.header("X-Total-Count");
    if (!value) return std::nullopt;
    std::string_view text = sdk::trim(*value);
    if (text.empty() || text.size() > 18) return std::nullopt;
    long long total = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        total = total * 10 + (c - '0');
    }
    return total;
}

std::string basic_authorization(const std::string& username, const std::string& password) {
    if (username.empty() && password.empty()) return {};
    return "Basic " + sdk::base64_encode(username + ":" + password);
}

HarborApi::HarborApi(const sdk::Host& host, const HarborConfig& config)
    : host_(host),
      base_(config.base),
      authorization_(basic_authorization(config.username, config.password)),
      page_size_(config.page_size) {
    if (!authorization_.empty()) {
        host_.add_secret(authorization_);
        host_.add_secret(authorization_.substr(6));
    }
}

Listing HarborApi::walk(const std::string& path, const std::vector<std::pair<std::string, std::string>>& query,
                        const std::function<void(const nlohmann::json&)>& item) const {
    std::string url = base_ + "/api/v2.0/" + path;
    for (const auto& [name, value] : query) url = sdk::with_query(url, name, value);
    url = sdk::with_query(url, "page", "1");
    url = sdk::with_query(url, "page_size", std::to_string(page_size_));

    sdk::HttpRequest first;
    first.url = url;
    first.headers.emplace_back("Accept", "application/json");
    if (!authorization_.empty()) first.headers.emplace_back("Authorization", authorization_);

    Listing listing;
    const auto link = sdk::next_page::link();
    // Harbor sends Link rel="next"; should a proxy drop it, X-Total-Count
    // still tells whether another page follows.
    sdk::NextPage next = [&](const sdk::Page& page) {
        if (auto target = link(page); !target.empty()) return target;
        auto total = total_count(page.response);
        const long long seen = static_cast<long long>(page.index + 1) * page_size_;
        if (total && seen < *total && page.body.is_array() && page.body.size() == static_cast<size_t>(page_size_))
            return sdk::with_query(page.url, "page", std::to_string(page.index + 2));
        return std::string{};
    };
    // sdk::StopPages thrown by `item` ends the walk inside for_each_page.
    listing.cut = !sdk::for_each_page(host_, first, next, [&](const sdk::Page& page) {
        if (!page.body.is_array())
            throw sdk::Error(REGSCAN_ERROR, "GET " + page.url + ": expected a JSON array");
        ++listing.pages;
        auto total = total_count(page.response);
        host_.log(REGSCAN_LOG_TRACE, "GET " + page.url + ": HTTP " + std::to_string(page.response.status) + ", " +
                                         std::to_string(page.body.size()) + " items, X-Total-Count " +
                                         (total ? std::to_string(*total) : std::string("absent")));
        if (total) {
            if (!listing.first_total) listing.first_total = total;
            if (listing.last_total && *listing.last_total != *total) listing.total_changed = true;
            listing.last_total = total;
        }
        for (const auto& element : page.body) {
            ++listing.items;
            item(element);
        }
    });
    return listing;
}

}  // namespace regscan::harbor
