#include "hub_session.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "hub_pages.hpp"
#include "regscan/error.hpp"
#include "regscan/paging.hpp"
#include "regscan/url.hpp"

namespace regscan::dockerhub {
namespace {

using nlohmann::json;

// The spec's maximum page size for both listings.
constexpr const char* page_size = "100";

// Docker's documented image for reading the pull limit
// (docs.docker.com/docker-hub/usage/pulls/, "View pull rate and limit").
constexpr const char* quota_probe_repository = "ratelimitpreview/test";
constexpr const char* quota_probe_tag = "latest";

// What the registry may answer a manifest HEAD with; any is fine, only the
// rate-limit headers are read. The probe image is a schema 1 manifest.
constexpr const char* manifest_types =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

}  // namespace

HubSession::HubSession(const sdk::Host& host, HubConfig config)
    : host_(host),
      config_(std::move(config)),
      login_(host_, config_.api, config_.username, config_.secret),
      limits_(host_) {}

void HubSession::log_in() {
    if (login_.anonymous()) {
        host_.info("No Docker Hub credentials: listing public repositories only, with anonymous pull limits");
        return;
    }
    (void)login_.authorization();
}

sdk::HttpResponse HubSession::get(const std::string& url) {
    sdk::HttpResponse response;
    try {
        std::string authorization = login_.authorization();
        for (int attempt = 0; attempt < 2; ++attempt) {
            sdk::HttpRequest request;
            request.url = url;
            request.headers.emplace_back("Accept", "application/json");
            if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
            response = host_.http(request);
            limits_.api(response);
            // A token can expire between two checks of its `exp`: log in again once.
            if (response.status != 401 || authorization.empty()) break;
            login_.refused(authorization);
            authorization = login_.authorization();
        }
    } catch (const LoginCut& cut) {
        // A renewal the listing's bounds refused cuts the listing like a refused page.
        return cut.response;
    }
    return response;
}

namespace {

// The answer of a Hub API GET as JSON; a refusal as sdk::Error with its reason.
json answer_json(const std::string& url, const sdk::HttpResponse& response) {
    if (!response.ok()) {
        const std::string answer = "GET " + url + ": HTTP " + std::to_string(response.status) + ": " +
                                   hub_error_text(response.body);
        switch (response.status) {
            case 0:
                throw sdk::Error(REGSCAN_UNREACHABLE, "cannot reach the Docker Hub API: GET " + url + ": " +
                                                          response.error);
            case 401:
                throw sdk::Error(REGSCAN_AUTH_FAILED, "the Docker Hub API refused the request (" + answer + ")");
            case 403:
                throw sdk::Error(REGSCAN_AUTH_FAILED, "no access (" + answer + ")");
            case 404:
                throw sdk::Error(REGSCAN_NOT_FOUND, "not found (" + answer + ")");
            case 429:
                throw sdk::Error(REGSCAN_ERROR, RateLimitLog::api_refusal(response) + " (" + answer + ")");
            default:
                throw sdk::Error(REGSCAN_ERROR, answer);
        }
    }
    auto body = json::parse(response.body, nullptr, false);
    if (body.is_discarded()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": the answer is not JSON");
    return body;
}

}  // namespace

bool HubSession::each_page(const std::string& url,
                           const std::function<std::string(const json&, const std::string&)>& page) {
    // A `next` that leads back to a page already read would loop forever.
    std::set<std::string> seen;
    for (std::string current = url; !current.empty() && seen.insert(current).second;) {
        auto response = get(current);
        if (sdk::listing_cut(response)) return false;
        current = next_page_url(config_.api, current, page(answer_json(current, response), current));
    }
    return true;
}

bool HubSession::namespace_repositories(const std::string& name, std::vector<std::string>& all) {
    const std::string ns = sdk::url_encode(name);
    const std::string current_route = config_.api + "/v2/namespaces/" + ns + "/repositories?page_size=" + page_size;
    const std::string legacy_route = config_.api + "/v2/repositories/" + ns + "/?page_size=" + page_size;
    std::vector<std::string> names;
    bool whole = true;
    auto collect = [&](const json& body, const std::string& url) {
        auto parsed = parse_repository_page(body, url);
        names.insert(names.end(), parsed.names.begin(), parsed.names.end());
        return parsed.next;
    };
    try {
        whole = each_page(legacy_routes_ ? legacy_route : current_route, collect);
    } catch (const sdk::Error& e) {
        if (e.status() != REGSCAN_NOT_FOUND || !names.empty())
            throw sdk::Error(e.status(), "Docker Hub namespace '" + name + "': " + e.what());
        if (legacy_routes_)
            throw sdk::Error(REGSCAN_NOT_FOUND, "Docker Hub namespace '" + name + "' " + e.what());
        // Docker Hub answers 404 for an unknown namespace, and an older Hub
        // API for the route itself: the undocumented older route tells which.
        try {
            whole = each_page(legacy_route, collect);
        } catch (const sdk::Error&) {
            throw sdk::Error(REGSCAN_NOT_FOUND, "Docker Hub namespace '" + name + "' " + e.what());
        }
        legacy_routes_ = true;
        host_.debug("Docker Hub API lacks /v2/namespaces/{namespace}/repositories; using /v2/repositories/{namespace}/");
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    all.insert(all.end(), names.begin(), names.end());
    return whole;
}

std::vector<sdk::Repository> HubSession::repositories() {
    host_.info("Listing Docker Hub namespaces " + join(config_.namespaces) + " through " + config_.api +
               "; images are read from " + config_.registry);
    std::vector<sdk::Repository> repositories;
    for (const auto& ns : config_.namespaces) {
        std::vector<std::string> names;
        const bool whole = namespace_repositories(ns, names);
        host_.info("Docker Hub namespace " + ns + ": " + std::to_string(names.size()) +
                   (names.size() == 1 ? " repository" : " repositories") +
                   (whole ? "" : " read before the listing was cut short") +
                   (login_.anonymous() ? " (public only: no credentials given)" : ""));
        for (const auto& name : names) {
            const std::string full = ns + "/" + name;
            repositories.push_back({full, config_.registry, full, "docker.io/" + full});
        }
        if (!whole) break;
    }
    return repositories;
}

std::vector<sdk::TagInfo> HubSession::tags(const sdk::Repository& repository) {
    const std::string& full = repository.pull_name.empty() ? repository.name : repository.pull_name;
    auto slash = full.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == full.size())
        throw sdk::Error(REGSCAN_ERROR, "'" + full + "' is not a Docker Hub repository name (namespace/name)");
    const std::string ns = sdk::url_encode(full.substr(0, slash));
    const std::string name = sdk::url_encode(full.substr(slash + 1));
    const std::string url = legacy_routes_
                                ? config_.api + "/v2/repositories/" + ns + "/" + name + "/tags/?page_size=" + page_size
                                : config_.api + "/v2/namespaces/" + ns + "/repositories/" + name +
                                      "/tags?page_size=" + page_size;
    std::vector<sdk::TagInfo> tags;
    each_page(url, [&](const json& body, const std::string& page_url) {
        auto parsed = parse_tag_page(body, page_url);
        tags.insert(tags.end(), parsed.tags.begin(), parsed.tags.end());
        return parsed.next;
    });
    // The core applies --max-tags-per-repo / --max-tag-age to this order.
    sort_newest_first(tags);
    return tags;
}

void HubSession::log_pull_quota() {
    if (config_.pulls_from_mirror) {
        host_.info("Docker Hub pull rate limit not read: images are read from " + config_.registry +
                   " (--hub-registry), a mirror whose limits are not Docker Hub's");
        return;
    }
    if (config_.pull_limit_timeout.count() == 0) {
        host_.debug("Docker Hub pull rate limit not read (--pull-limit-timeout 0)");
        return;
    }
    if (!host_.honours_timeout()) {
        host_.debug("Docker Hub pull rate limit not read: this regscan cannot bound the probe by "
                    "--pull-limit-timeout (it needs plugin SDK 1.4)");
        return;
    }
    sdk::HttpRequest request;
    request.method = "HEAD";
    request.url = config_.registry + "/v2/" + quota_probe_repository + "/manifests/" + quota_probe_tag;
    request.headers.emplace_back("Accept", manifest_types);
    request.registry_auth = true;
    request.retry = false;
    // The probe is this one call: the core answers the 401 (token request,
    // HEAD again) within it, so the whole budget bounds all of it.
    const auto deadline = std::chrono::steady_clock::now() + config_.pull_limit_timeout;
    request.timeout = config_.pull_limit_timeout;
    const auto response = host_.http(request);
    if (response.status == 0 && std::chrono::steady_clock::now() >= deadline) {
        const auto ms = config_.pull_limit_timeout.count();
        host_.info("Docker Hub pull rate limit not read: HEAD " + request.url + " gave no answer within " +
                   (ms % 1000 ? std::to_string(ms) + " ms" : std::to_string(ms / 1000) + " s") +
                   " (--pull-limit-timeout); the run goes on without it");
        return;
    }
    if (response.status == 0) {
        host_.debug("Could not read the Docker Hub pull rate limit: HEAD " + request.url + ": " + response.error);
        return;
    }
    if (response.ok() || response.status == 429)
        limits_.pulls(response, login_.anonymous());
    else
        host_.debug("Could not read the Docker Hub pull rate limit: HEAD " + request.url + ": " + response.describe());
}

}  // namespace regscan::dockerhub
