#include "jfrog_session.hpp"

#include "jfrog_listing.hpp"
#include "jfrog_pull.hpp"
#include "jfrog_repositories.hpp"
#include "regscan/error.hpp"

namespace regscan::jfrog {
namespace {

std::string credentials_kind(const JfrogConfig& config) {
    if (config.secret.empty()) return "anonymously";
    if (config.token_only()) return "with an access token (Bearer)";
    return "as '" + config.username + "' (Basic)";
}

}  // namespace

JfrogSession::JfrogSession(const sdk::Host& host, JfrogConfig config, size_t max_repositories, size_t max_tags)
    : host_(host), config_(std::move(config)), api_(host_, config_), max_repositories_(max_repositories),
      max_tags_(max_tags) {}

std::optional<sdk::Credentials> JfrogSession::pull_credentials() const {
    if (!config_.token_only()) return std::nullopt;
    return sdk::Credentials{{}, {}, config_.secret};
}

std::vector<sdk::Repository> JfrogSession::repositories() {
    const std::string url = repositories_url(api_.base());
    auto listed = parse_repository_list(api_.get_json(url), url);
    host_.info("Artifactory " + api_.base() + ": " + std::to_string(listed.size()) +
               (listed.size() == 1 ? " Docker repository" : " Docker repositories") + " readable " +
               credentials_kind(config_) + "; images are read by " +
               access_name(config_.access) + " access");
    auto selection = select_repositories(listed, config_);
    if (!selection.note.empty()) host_.info(selection.note);
    for (const auto& skipped : selection.skipped.named()) host_.info("Not walking Artifactory repository " + skipped);
    if (selection.skipped.unnamed() > 0)
        host_.info("Not walking " + std::to_string(selection.skipped.unnamed()) +
                   " more Artifactory repositories of types not walked (--jfrog-repository-type)");

    std::vector<sdk::Repository> repositories;
    size_t failed = 0;
    std::optional<sdk::Error> first_failure;
    for (const auto& repository : selection.walk) {
        if (max_repositories_ && repositories.size() > max_repositories_) break;
        if (config_.access == Access::port && !config_.ports.count(repository.key))
            host_.info("No --jfrog-repository-port for " + repository.key +
                       ": its images are read through " + api_.base() + "/api/docker/" + repository.key + "/v2/");
        ImageListing images;
        try {
            images = list_images(api_, repository.key, max_repositories_);
        } catch (const sdk::Error& e) {
            // One repository the account cannot list must not hide the others.
            ++failed;
            if (!first_failure) first_failure = e;
            host_.discovery_note("Artifactory repository " + repository.key + " (" + repository.type +
                                 ") could not be listed, its images are not scanned: " + e.what());
            continue;
        }
        const size_t count = images.names.size();
        host_.info("Artifactory repository " + repository.key + " (" + repository.type + "): " +
                   std::to_string(count) + (count == 1 ? " image" : " images") +
                   (images.cut ? " read before the listing was cut short" : ""));
        for (const auto& image : images.names)
            repositories.push_back(pull_repository(config_, repository.key, image));
        // The host refuses every further request of this listing: another
        // repository would only be reported empty (sdk::listing_cut).
        if (images.cut) break;
    }
    if (failed && failed == selection.walk.size()) throw *first_failure;
    return repositories;
}

std::vector<sdk::TagInfo> JfrogSession::tags(const sdk::Repository& repository) {
    auto [key, image] = key_and_image(repository);
    std::vector<sdk::TagInfo> tags;
    for (auto& tag : list_tags(api_, key, image, max_tags_)) {
        sdk::TagInfo info;
        info.tag = std::move(tag);
        tags.push_back(std::move(info));
    }
    return tags;
}

}  // namespace regscan::jfrog
