#include "nexus_session.hpp"

#include <set>

#include "nexus_components.hpp"
#include "nexus_walk.hpp"
#include "regscan/base64.hpp"
#include "regscan/paging.hpp"
#include "regscan/text.hpp"
#include "regscan/url.hpp"

namespace regscan::nexus {
namespace {

constexpr const char* rest_base = "/service/rest/v1/";
// Nexus's continuation tokens are 32 hex digits; a longer one than this only
// grows every later request URL.
constexpr size_t max_continuation_token = 4096;
// Repositories (or images) a log line or note names before it counts the rest.
constexpr size_t unlisted_named = 10;

std::string plural(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

NexusSession::NexusSession(const sdk::Host& host, NexusConfig config, size_t max_repositories, size_t max_tags)
    : host_(host), config_(std::move(config)), max_repositories_(max_repositories), max_tags_(max_tags) {
    if (!config_.anonymous()) {
        const std::string pair = sdk::base64_encode(config_.username + ":" + config_.secret);
        authorization_ = "Basic " + pair;
        host_.add_secret(config_.secret);
        host_.add_secret(pair);
        host_.add_secret(authorization_);
    }
}

sdk::HttpRequest NexusSession::rest_request(const std::string& path) const {
    sdk::HttpRequest request;
    request.url = config_.base + rest_base + path;
    request.headers.emplace_back("Accept", "application/json");
    if (!authorization_.empty()) request.headers.emplace_back("Authorization", authorization_);
    return request;
}

nlohmann::json NexusSession::get_json(const std::string& path) {
    auto request = rest_request(path);
    auto response = host_.http(request);
    host_.log(REGSCAN_LOG_TRACE, "Nexus GET " + request.url + ": HTTP " + std::to_string(response.status) + ", " +
                                     std::to_string(response.body.size()) + " bytes");
    if (!response.ok()) {
        const std::string answer = "GET " + request.url + ": " + response.describe();
        if (response.status == 401 && config_.anonymous())
            throw sdk::Error(REGSCAN_AUTH_FAILED, "Nexus allows no anonymous access here (" + answer +
                                                      "); give --username and --password (or a user token)");
        if (response.status == 401)
            throw sdk::Error(REGSCAN_AUTH_FAILED, "Nexus refused the credentials of '" + config_.username + "' (" +
                                                      answer + "); give that user's password or a user token's "
                                                      "name code and pass code");
        throw sdk::Error(sdk::status_of(response), answer);
    }
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded()) throw sdk::Error(REGSCAN_ERROR, "GET " + request.url + ": the answer is not JSON");
    return body;
}

void NexusSession::sign_in() {
    const std::string path = "repositories";
    try {
        listed_ = parse_repositories(get_json(path), config_.base + rest_base + path);
    } catch (const sdk::Error& e) {
        if (e.status() != REGSCAN_NOT_FOUND) throw;
        // A connector port answers the Docker API only.
        throw sdk::Error(REGSCAN_NOT_FOUND,
                         std::string(e.what()) + ": no Nexus REST API here; give the Nexus server's own URL (its "
                         "web address, e.g. port 8081, with any context path), not a repository connector port, or "
                         "--type DEFAULT_V2 to list this port through /v2/_catalog");
    }
    host_.info(config_.anonymous()
                   ? "No Nexus credentials: walking what anonymous access may browse"
                   : "Signed in to Nexus as '" + config_.username + "' (Basic: a password or a user token)");
    if (config_.pull != PullRoute::path) read_settings();
    // A misnamed --nexus-repository ends the run before discovery starts.
    walk_ = plan_walk(listed_, settings_, config_.repositories);
}

void NexusSession::read_settings() {
    auto request = rest_request("repositorySettings");
    auto response = host_.http(request);
    if (response.ok()) {
        auto body = nlohmann::json::parse(response.body, nullptr, false);
        if (!body.is_discarded()) {
            settings_ = parse_settings(body, request.url);
            return;
        }
    }
    host_.info("Nexus GET " + request.url + ": " + response.describe() +
               (response.status == 401 || response.status == 403
                    ? " (repository settings need an administrator's read privilege)"
                    : "") +
               ": connector ports and group members are unknown; images are pulled path-based through "
               "/repository/<name>/v2/");
}

bool NexusSession::list_components(const std::string& repository, ImageListing& listing) {
    auto first = rest_request("components?repository=" + sdk::url_encode(repository));
    // for_each_page never fetches a URL twice; a token leading back to a page
    // already read is noticed here, because pages after it may be missing.
    std::set<std::string> fetched;
    bool looped = false;
    size_t long_token = 0;
    const auto token = sdk::next_page::body_token("continuationToken", "continuationToken");
    const sdk::NextPage next = [&](const sdk::Page& page) {
        fetched.insert(page.url);
        auto it = page.body.find("continuationToken");
        const auto* text = it == page.body.end() ? nullptr : it->get_ptr<const std::string*>();
        if (text && text->size() > max_continuation_token) {
            long_token = text->size();
            return std::string{};
        }
        auto url = token(page);
        if (!url.empty() && fetched.count(sdk::resolve_url(page.url, url))) {
            looped = true;
            return std::string{};
        }
        return url;
    };
    const bool whole = sdk::for_each_page(host_, first, next, [&](const sdk::Page& page) {
        auto items = parse_components(page.body, page.url);
        host_.log(REGSCAN_LOG_TRACE, "Nexus GET " + page.url + ": page " + std::to_string(page.index + 1) + ", " +
                                         plural(items.size(), "component", "components"));
        if (!listing.add(items)) throw sdk::StopPages{};
    });
    if (looped)
        host_.discovery_note("Nexus repository " + repository +
                             ": its components listing's continuationToken led back to a page already read after " +
                             plural(fetched.size(), "page", "pages") + "; components may have been missed");
    if (long_token)
        host_.discovery_note("Nexus repository " + repository + ": its components listing's continuationToken after " +
                             plural(fetched.size(), "page", "pages") + " is " + std::to_string(long_token) +
                             " bytes long (at most " + std::to_string(max_continuation_token) +
                             "): the listing ends there, with the pages read; components may have been missed");
    return whole;
}

std::vector<sdk::Repository> NexusSession::repositories() {
    const Walk& walk = walk_;
    for (const auto& line : walk.skipped) host_.info(line);
    if (walk.targets.empty()) host_.warn("No Nexus docker repository to walk");

    std::vector<sdk::Repository> out;
    // The entries of `out` the core keeps and counts to --max-repositories: not those whose names
    // it refuses.
    size_t counted = 0;
    sdk::NameSample misnamed(unlisted_named);
    std::lock_guard lock(mutex_);
    by_name_.clear();
    for (size_t t = 0; t < walk.targets.size(); ++t) {
        const auto& target = walk.targets[t];
        // One more than the core keeps is listed: the core reports the rest as cut.
        if (max_repositories_ && counted > max_repositories_) break;
        auto settings = settings_.find(target.name);
        auto place = pull_place(config_, target.name, settings == settings_.end() ? nullptr : &settings->second);
        if (!valid_image_name(target.name)) {
            // Nexus allows "Docker-Hosted"; every image of it would be named "Docker-Hosted/<image>",
            // which the core refuses. Its listing is not read: the core reports the name once.
            misnamed.add(target.name);
            sdk::Repository refused;
            refused.name = target.name;
            refused.plugin_data = {{"nexus_repository", target.name}};
            out.push_back(std::move(refused));
            continue;
        }
        ImageListing listing(max_repositories_ ? max_repositories_ - counted : SIZE_MAX,
                             max_tags_ ? max_tags_ : SIZE_MAX, target.name + "/");
        bool whole = true;
        try {
            whole = list_components(target.name, listing);
        } catch (const sdk::Error& e) {
            // Reported by the core as this repository's failure; the others go on.
            host_.warn("Nexus repository " + target.name + ": its components cannot be listed: " + e.what());
            sdk::Repository failed;
            failed.name = target.name;
            failed.plugin_data = {{"nexus_repository", target.name}};
            out.push_back(failed);
            ++counted;
            by_name_[failed.name] = {{}, sdk::Error(e.status(), "Nexus repository " + target.name + ": " + e.what())};
            continue;
        }
        const size_t tag_count = listing.tags();
        auto images = listing.take_images();
        host_.info("Nexus repository " + target.name + " (" + target.why + "): " +
                   plural(images.size(), "image", "images") + ", " + plural(tag_count, "tag", "tags") +
                   (whole ? "" : " read before the listing was cut short") + "; pulled through " + place.how);
        if (listing.full() == ImageListing::Full::images)
            host_.discovery_note("Nexus repository " + target.name + ": its listing stopped once the walk held " +
                                 plural(counted + images.size(), "image", "images") +
                                 ", more than the core keeps (--max-repositories); tags on later pages were not read");
        if (const auto& cut = listing.cut_images(); !cut.empty()) {
            sdk::NameSample names(unlisted_named);
            for (const auto& image : cut) names.add(image);
            const bool one = cut.size() == 1;
            const size_t dropped = listing.tags_not_taken();
            host_.discovery_note("Nexus repository " + target.name + ": the tags of " + (one ? "image " : "images ") +
                                 names.str() + " were cut at " + std::to_string(max_tags_ + 1) + (one ? "" : " each") +
                                 ", one more than the core keeps (--max-listed-tags)" +
                                 (dropped ? ", and " + plural(dropped, "later tag", "later tags") + " of " +
                                                (one ? "it " : "them ") + (dropped == 1 ? "was" : "were") +
                                                " not taken"
                                          : std::string{}) +
                                 "; the other images keep every tag read");
        }
        if (listing.by_digest() > 0)
            host_.debug("Nexus repository " + target.name + ": " +
                        plural(listing.by_digest(), "component", "components") +
                        " versioned by digest (the images of multi-platform indexes) are read through their index");
        if (listing.malformed() > 0)
            host_.warn("Nexus repository " + target.name + ": " +
                       plural(listing.malformed(), "component", "components") +
                       " with a name or version that is not a valid image name or tag: skipped");
        if (listing.repeated() > 0)
            host_.debug("Nexus repository " + target.name + ": " +
                        plural(listing.repeated(), "component repeats", "components repeat") +
                        " an image:tag already listed (a group's members): counted once");
        for (auto& [image, tags] : images) {
            sdk::Repository repository;
            repository.name = target.name + "/" + image;
            repository.pull_base = place.base;
            repository.pull_name = image;
            if (!place.authority.empty()) repository.reference = place.authority + "/" + image;
            repository.plugin_data = {{"nexus_repository", target.name}};
            by_name_[repository.name] = {std::move(tags), std::nullopt};
            out.push_back(std::move(repository));
            ++counted;
        }
        if (!whole) {
            // The SDK's rule: after a cut, start no further listing.
            sdk::NameSample unlisted(unlisted_named);
            for (size_t u = t + 1; u < walk.targets.size(); ++u) unlisted.add(walk.targets[u].name);
            if (unlisted.count() > 0)
                host_.info("Nexus: the listing was cut short; " +
                           plural(unlisted.count(), "repository", "repositories") + " not listed: " + unlisted.str());
            break;
        }
    }
    if (misnamed.count() > 0)
        host_.warn("Nexus: " + plural(misnamed.count(), "repository", "repositories") + " (" + misnamed.str() +
                   ") named with what is not a lowercase path component of the distribution grammar: no image in "
                   "them can be named, so their components are not listed");
    return out;
}

std::vector<sdk::TagInfo> NexusSession::tags(const sdk::Repository& repository) {
    std::lock_guard lock(mutex_);
    auto it = by_name_.find(repository.name);
    if (it == by_name_.end())
        throw sdk::Error(REGSCAN_NOT_FOUND, "'" + repository.name +
                                                "' is not an image this Nexus session listed, or its tags were "
                                                "served already");
    // Served once: the core asks each repository's tags once, and what it
    // has read need not be held for the rest of the run.
    auto listed = std::move(it->second);
    by_name_.erase(it);
    if (listed.failure) throw *listed.failure;
    return std::move(listed.tags);
}

}  // namespace regscan::nexus
