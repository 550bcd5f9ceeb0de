#include "acr_api.hpp"

#include <set>

#include "acr_challenge.hpp"
#include "acr_errors.hpp"
#include "regscan/error.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/paging.hpp"
#include "regscan/url.hpp"

namespace regscan::acr {
namespace {

using sdk::Error;

const nlohmann::json* list_field(const nlohmann::json& page, const char* key, const std::string& url) {
    if (!page.is_object()) throw Error(REGSCAN_ERROR, "GET " + url + ": expected a JSON object");
    auto it = page.find(key);
    if (it == page.end() || it->is_null()) return nullptr;
    if (!it->is_array()) throw Error(REGSCAN_ERROR, "GET " + url + ": \"" + key + "\" is not an array");
    return &*it;
}

}  // namespace

AcrApi::AcrApi(sdk::Host host, std::string base, AcrEndpoint endpoint, std::shared_ptr<AcrCredentials> credentials)
    : host_(host), base_(std::move(base)), endpoint_(std::move(endpoint)), credentials_(std::move(credentials)) {}

std::vector<std::string> AcrApi::repositories() const {
    std::vector<std::string> names;
    for_each_page(base_ + "/acr/v1/_catalog?n=" + std::to_string(acr_page_size), "registry:catalog:*",
                  [&](const nlohmann::json& page, const std::string& url) {
                      for (auto& name : catalog_names(page, url)) names.push_back(std::move(name));
                  });
    return names;
}

std::vector<sdk::TagInfo> AcrApi::tags(const std::string& repository) const {
    std::vector<sdk::TagInfo> tags;
    for_each_page(base_ + "/acr/v1/" + repository + "/_tags?n=" + std::to_string(acr_page_size),
                  "repository:" + repository + ":metadata_read",
                  [&](const nlohmann::json& page, const std::string& url) {
                      for (auto& tag : tag_infos(page, url)) tags.push_back(std::move(tag));
                  });
    return tags;
}

void AcrApi::for_each_page(const std::string& first_url, const std::string& scope,
                           const std::function<void(const nlohmann::json&, const std::string&)>& page) const {
    // A registry that links a page to itself must not loop us forever.
    std::set<std::string> seen;
    const std::string origin = sdk::parse_url(first_url).origin();
    for (std::string url = first_url; !url.empty() && seen.insert(url).second;) {
        // The next page carries the registry's token: never to another origin.
        if (sdk::parse_url(url).origin() != origin)
            throw Error(REGSCAN_ERROR, "GET " + first_url + ": pagination link to another origin refused: " + url);
        sdk::HttpResponse response;
        try {
            response = get(url, scope);
        } catch (const ListingCut& e) {
            // The token (or the sign-in) this page needed was cut, as a page would be.
            host_.debug(std::string(e.what()));
            return;
        }
        // The host cut the listing at its bounds: the core reports it, what was read is kept.
        if (sdk::listing_cut(response)) return;
        if (!response.ok()) throw Error(sdk::status_of(response), "GET " + url + ": " + acr_error_text(response));
        auto body = nlohmann::json::parse(response.body, nullptr, false);
        if (body.is_discarded()) throw Error(REGSCAN_ERROR, "GET " + url + ": response is not JSON");
        page(body, url);
        url = next_page(url, response, body);
    }
}

sdk::HttpResponse AcrApi::get(const std::string& url, const std::string& scope) const {
    sdk::HttpRequest request;
    request.url = url;
    request.headers = {{"Accept", "application/json"}, {"Authorization", credentials_->authorization(endpoint_, scope)}};
    auto response = host_.http(request);
    if (response.status != 401) return response;

    // Our token was refused (expired early, revoked, or the registry wants
    // another scope): take the challenge's scope and service, ask once more.
    AcrEndpoint endpoint = endpoint_;
    std::string wanted = scope;
    if (auto header = response.header("WWW-Authenticate"))
        if (auto params = bearer_challenge(*header)) {
            if (auto it = params->find("scope"); it != params->end() && !it->second.empty()) wanted = it->second;
            if (auto it = params->find("service"); it != params->end() && !it->second.empty())
                endpoint.service = it->second;
        }
    credentials_->forget(endpoint_, scope);
    credentials_->forget(endpoint, wanted);
    for (auto& [name, value] : request.headers)
        if (name == "Authorization") value = credentials_->authorization(endpoint, wanted);
    return host_.http(request);
}

std::vector<std::string> catalog_names(const nlohmann::json& page, const std::string& url) {
    std::vector<std::string> names;
    if (const auto* list = list_field(page, "repositories", url))
        for (const auto& item : *list)
            if (item.is_string() && !item.get_ref<const std::string&>().empty()) names.push_back(item.get<std::string>());
    return names;
}

std::vector<sdk::TagInfo> tag_infos(const nlohmann::json& page, const std::string& url) {
    std::vector<sdk::TagInfo> tags;
    if (const auto* list = list_field(page, "tags", url))
        for (const auto& item : *list) {
            if (!item.is_object()) continue;
            sdk::TagInfo info;
            info.tag = sdk::json_string(item, "name");
            if (info.tag.empty()) continue;
            info.digest = sdk::json_string(item, "digest");
            info.pushed = sdk::json_string(item, "lastUpdateTime");
            if (info.pushed.empty()) info.pushed = sdk::json_string(item, "createdTime");
            tags.push_back(std::move(info));
        }
    return tags;
}

std::string next_page(const std::string& url, const sdk::HttpResponse& response, const nlohmann::json& body) {
    if (auto link = response.header("Link")) {
        std::string next = sdk::next_link(*link);
        return next.empty() ? std::string{} : sdk::resolve_url(url, next);
    }
    std::string link = body.is_object() ? sdk::json_string(body, "link") : std::string{};
    if (link.empty()) return {};
    // The body's link may itself be in Link form: "</acr/v1/...>; rel=\"next\"".
    std::string next = link.front() == '<' ? sdk::next_link(link) : link;
    return next.empty() ? std::string{} : sdk::resolve_url(url, next);
}

}  // namespace regscan::acr
