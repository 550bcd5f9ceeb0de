#include "quay_session.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <unordered_set>

#include "quay_api.hpp"
#include "quay_registry_login.hpp"
#include "regscan/error.hpp"
#include "regscan/pagination.hpp"
#include "regscan/paging.hpp"
#include "regscan/url.hpp"

namespace regscan::quay {
namespace {

// listRepoTags: "Max 100" (quay-api-listRepoTags.adoc); more is a 400 on some
// quay.io releases. /v2/_catalog is capped at 100 by Quay as well.
constexpr const char* tag_page_size = "100";
constexpr const char* catalog_page_size = "100";

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

long long now_epoch() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The API's answer to a failed listing, with Quay's error_message.
sdk::Error api_failure(const sdk::Error& e, const std::string& what) {
    return sdk::Error(e.status(), what + ": " + readable_failure(e.what()), e.http_status());
}

}  // namespace

QuaySession::QuaySession(const sdk::Host& host, QuayConfig config, size_t max_repositories, size_t max_tags)
    : host_(host), config_(std::move(config)), max_repositories_(max_repositories), max_tags_(max_tags) {}

void QuaySession::start() {
    host_.add_secret(config_.token);
    host_.add_secret(config_.password);
    if (config_.has_login()) registry_authorization_ = registry_login(host_, config_.base, config_.username, config_.password);
    if (config_.has_token()) {
        listing_ = Listing::api;
        host_.info("Listing Quay namespaces " + join(config_.namespaces) + " through the API at " + config_.base +
                   "/api/v1 with the OAuth token" +
                   (config_.has_login() ? "; images are read as " + config_.username
                                        : "; images are read with the OAuth token ($oauthtoken)"));
    } else if (config_.has_login()) {
        listing_ = Listing::catalog;
        host_.warn("Quay: no --quay-token (OAuth application token), so repositories are listed through "
                   "/v2/_catalog as " + config_.username +
                   ": Quay's API does not accept robot credentials; tags come from /v2/<name>/tags/list, "
                   "without push times");
    } else {
        listing_ = Listing::api;
        host_.info("Quay: no credentials, listing public repositories of " + join(config_.namespaces) +
                   " through the API");
    }
}

sdk::HttpRequest QuaySession::api_request(const std::string& url) const {
    sdk::HttpRequest request;
    request.url = url;
    request.headers.emplace_back("Accept", "application/json");
    if (config_.has_token()) request.headers.emplace_back("Authorization", "Bearer " + config_.token);
    return request;
}

bool QuaySession::namespace_repositories(const std::string& name, std::vector<std::string>& names) {
    // public=true: also the namespace's public repositories the token holds no permission on.
    const std::string url = config_.base + "/api/v1/repository?namespace=" + sdk::url_encode(name) + "&public=true";
    // The token goes back in the next page's URL (up to three times its size
    // once encoded), and the walk keeps every URL it fetched.
    size_t pages = 0;
    size_t oversized = 0;
    const auto token = sdk::next_page::body_token("next_page", "next_page");
    const sdk::NextPage next = [&](const sdk::Page& page) {
        ++pages;
        auto it = page.body.is_object() ? page.body.find("next_page") : page.body.end();
        if (it != page.body.end() && it->is_string() && it->get_ref<const std::string&>().size() > max_page_token) {
            oversized = it->get_ref<const std::string&>().size();
            return std::string{};
        }
        return token(page);
    };
    const bool whole = sdk::for_each_page(host_, api_request(url), next, [&](const sdk::Page& page) {
        auto found = repository_names(page.body, name);
        host_.log(REGSCAN_LOG_TRACE, "Quay GET " + page.url + ": " + std::to_string(found.size()) + " repositories" +
                                         (page.body.contains("next_page") ? ", more follow" : ""));
        names.insert(names.end(), found.begin(), found.end());
        if (max_repositories_ && names.size() > max_repositories_) throw sdk::StopPages{};
    });
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (oversized)
        host_.discovery_note("Quay namespace " + name + ": its listing's next_page token is " +
                             std::to_string(oversized) + " bytes (at most " + std::to_string(max_page_token) +
                             "), so it ends after " + std::to_string(pages) + (pages == 1 ? " page" : " pages") +
                             "; the repositories of the pages read are kept, later ones are missing");
    return whole;
}

std::vector<sdk::Repository> QuaySession::catalog_repositories() {
    sdk::HttpRequest first;
    first.url = config_.base + "/v2/_catalog?n=" + catalog_page_size;
    if (!registry_authorization_.empty()) first.headers.emplace_back("Authorization", registry_authorization_);
    // The catalog holds every repository the robot may read; only the chosen namespaces' are kept.
    auto wanted = [&](const std::string& full) {
        return std::any_of(config_.namespaces.begin(), config_.namespaces.end(), [&](const std::string& ns) {
            return full.size() > ns.size() + 1 && full.compare(0, ns.size() + 1, ns + "/") == 0;
        });
    };
    std::vector<std::string> names;
    try {
        sdk::for_each_page(host_, first, sdk::next_page::link(), [&](const sdk::Page& page) {
            auto list = page.body.is_object() ? page.body.find("repositories") : page.body.end();
            if (list == page.body.end() || !list->is_array()) return;
            for (const auto& item : *list)
                if (item.is_string() && wanted(item.get<std::string>())) names.push_back(item.get<std::string>());
            if (max_repositories_ && names.size() > max_repositories_) throw sdk::StopPages{};
        });
    } catch (const sdk::Error& e) {
        if (e.status() != REGSCAN_AUTH_FAILED) throw;
        throw sdk::Error(REGSCAN_AUTH_FAILED, "Quay refused " + config_.username + " the repository list (" +
                                                  e.what() +
                                                  "); a robot that may not list /v2/_catalog needs an OAuth "
                                                  "application token (--quay-token) to discover repositories");
    }
    std::vector<sdk::Repository> repositories;
    for (const auto& ns : config_.namespaces) {
        size_t count = 0;
        for (const auto& full : names)
            if (full.size() > ns.size() + 1 && full.compare(0, ns.size() + 1, ns + "/") == 0) {
                repositories.push_back({full, config_.base, "", "", nullptr});
                ++count;
            }
        host_.info("Quay namespace " + ns + ": " + std::to_string(count) +
                   (count == 1 ? " repository" : " repositories") + " in /v2/_catalog");
    }
    return repositories;
}

std::vector<sdk::Repository> QuaySession::repositories() {
    if (listing_ == Listing::catalog) return catalog_repositories();
    std::vector<sdk::Repository> repositories;
    for (const auto& ns : config_.namespaces) {
        std::vector<std::string> names;
        bool whole = true;
        try {
            whole = namespace_repositories(ns, names);
        } catch (const sdk::Error& e) {
            // A token Quay does not accept (401): nothing else will work either. A 403 is
            // this namespace only; the status decides, never the text (it quotes Quay's body).
            if (e.http_status() == 401 && config_.has_token())
                throw sdk::Error(REGSCAN_AUTH_FAILED, "Quay refused the OAuth token (" + readable_failure(e.what()) + ")");
            // One namespace refused or missing costs that namespace only.
            host_.discovery_note("Quay namespace " + ns + " could not be listed, its repositories are missing: " +
                                 readable_failure(e.what()));
            continue;
        }
        host_.info("Quay namespace " + ns + ": " + std::to_string(names.size()) +
                   (names.size() == 1 ? " repository" : " repositories") +
                   (whole ? "" : " read before the listing was cut short"));
        for (const auto& name : names)
            repositories.push_back(
                {ns + "/" + name, config_.base, "", "", nlohmann::json{{"namespace", ns}, {"repository", name}}});
        if (!whole) break;
    }
    return repositories;
}

std::vector<sdk::TagInfo> QuaySession::api_tags(const std::string& namespace_name, const std::string& repository) {
    const std::string url = config_.base + "/api/v1/repository/" + repository_path(namespace_name, repository) +
                            "/tag/?onlyActiveTags=true&limit=" + tag_page_size + "&page=1";
    std::vector<sdk::TagInfo> tags;
    std::unordered_set<std::string> known;  // a page of 250,000 tags: no linear search per tag
    const long long now = now_epoch();
    try {
        sdk::for_each_page(host_, api_request(url), sdk::next_page::while_true("has_additional", "page"),
                           [&](const sdk::Page& page) {
                               auto found = tag_infos(page.body, now);
                               host_.log(REGSCAN_LOG_TRACE, "Quay GET " + page.url + ": " +
                                                                std::to_string(found.size()) + " active tags");
                               for (auto& tag : found)
                                   if (known.insert(tag.tag).second) tags.push_back(std::move(tag));
                               if (max_tags_ && tags.size() > max_tags_) throw sdk::StopPages{};
                           });
    } catch (const sdk::Error& e) {
        throw api_failure(e, "Quay repository " + namespace_name + "/" + repository);
    }
    // Newest push first: the core applies --max-tags-per-repo to this order.
    std::stable_sort(tags.begin(), tags.end(),
                     [](const sdk::TagInfo& a, const sdk::TagInfo& b) { return a.pushed > b.pushed; });
    return tags;
}

std::vector<sdk::TagInfo> QuaySession::tags(const sdk::Repository& repository) {
    const auto& data = repository.plugin_data;
    if (data.is_object() && data.contains("namespace") && data.contains("repository") &&
        data["namespace"].is_string() && data["repository"].is_string())
        return api_tags(data["namespace"].get<std::string>(), data["repository"].get<std::string>());
    std::vector<sdk::TagInfo> tags;
    for (auto& name : sdk::v2_tags(host_, config_.base, repository.name, max_tags_)) tags.push_back({name});
    return tags;
}

std::optional<std::string> QuaySession::authorize(const sdk::AuthRequest& request) {
    // The OAuth token goes to the realm only when it is Quay's own (/v2/auth on this origin).
    if (!config_.has_login() && config_.has_token() && sdk::iequals(request.challenge_scheme, "Bearer")) {
        auto realm = request.challenge_params.find("realm");
        const std::string origin = sdk::parse_url(config_.base).origin();
        if (realm == request.challenge_params.end() || sdk::parse_url(realm->second).origin() != origin)
            throw sdk::Error(REGSCAN_AUTH_FAILED, "the token realm is not on " + origin +
                                                      ": the OAuth token is only sent to the registry's own origin");
    }
    return std::nullopt;
}

std::optional<sdk::Credentials> QuaySession::pull_credentials() const {
    if (config_.has_login() || !config_.has_token()) return std::nullopt;
    return sdk::Credentials{oauth_token_username, config_.token, ""};
}

}  // namespace regscan::quay
