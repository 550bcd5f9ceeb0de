#include "ecr_session.hpp"

#include <algorithm>

#include "ecr_crypto.hpp"
#include "regscan/digest.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/paging.hpp"
#include "regscan/url.hpp"

namespace regscan::ecr {
namespace {

constexpr const char* index_types[] = {"application/vnd.oci.image.index.v1+json",
                                       "application/vnd.docker.distribution.manifest.list.v2+json"};

std::string quoted(const std::string& name) { return "'" + name + "'"; }

// The image's digest, or "" when it is not one: it goes into a request path
// (an index's children) before the core checks anything.
std::string image_digest(const nlohmann::json& detail) {
    auto digest = sdk::json_string(detail, "imageDigest", sdk::max_listed_field);
    return sdk::valid_digest(digest) ? digest : std::string{};
}

}  // namespace

bool is_index_media_type(const std::string& media_type) {
    return std::any_of(std::begin(index_types), std::end(index_types),
                       [&](const char* type) { return media_type == type; });
}

EcrSession::EcrSession(sdk::Host host, Environment env, std::unique_ptr<EcrApi> api, std::string registry_id,
                       std::string registry_url)
    : host_(host),
      env_(std::move(env)),
      api_(std::move(api)),
      registry_id_(std::move(registry_id)),
      registry_base_(sdk::registry_base(registry_url)),
      registry_authority_(sdk::parse_url(registry_url).authority()) {}

void EcrSession::paginate(const std::string& operation, nlohmann::json input, const std::string& subject,
                          const std::function<void(const nlohmann::json&)>& page) {
    std::set<std::string> seen;
    input["maxResults"] = page_size;
    if (!registry_id_.empty()) input["registryId"] = registry_id_;
    for (;;) {
        auto answer = api_->page(operation, input, subject);
        // The host cut the listing at its bounds: the core reports it, what was read is kept.
        if (!answer) return;
        page(*answer);
        auto token = sdk::json_string(*answer, "nextToken");
        if (token.empty()) return;
        // A service that hands back a token it already gave would loop forever.
        if (!seen.insert(token).second)
            throw sdk::Error(REGSCAN_ERROR, "ECR " + operation + " for " + subject + " repeated a nextToken");
        input["nextToken"] = token;
    }
}

std::vector<sdk::Repository> EcrSession::repositories() {
    std::vector<sdk::Repository> repositories;
    const std::string subject = registry_id_.empty() ? "the caller's registry" : "registry " + registry_id_;
    paginate("DescribeRepositories", nlohmann::json::object(), subject, [&](const nlohmann::json& answer) {
        auto list = answer.find("repositories");
        if (list == answer.end() || !list->is_array()) return;
        for (const auto& item : *list)
            if (auto name = sdk::json_string(item, "repositoryName"); !name.empty()) repositories.push_back({name, {}, {}});
    });
    return repositories;
}

std::vector<sdk::TagInfo> EcrSession::tags(const sdk::Repository& repository) {
    std::vector<nlohmann::json> details;
    paginate("DescribeImages", {{"repositoryName", repository.name}}, "repository " + quoted(repository.name),
             [&](const nlohmann::json& answer) {
                 auto list = answer.find("imageDetails");
                 if (list == answer.end() || !list->is_array()) return;
                 for (const auto& item : *list)
                     if (item.is_object()) details.push_back(item);
             });

    std::vector<std::string> indexes;
    bool any_untagged = false;
    for (const auto& detail : details) {
        if (is_index_media_type(sdk::json_string(detail, "imageManifestMediaType")))
            if (auto digest = image_digest(detail); !digest.empty()) indexes.push_back(std::move(digest));
        auto tags = detail.find("imageTags");
        any_untagged = any_untagged || tags == detail.end() || !tags->is_array() || tags->empty();
    }
    std::optional<std::set<std::string>> children = std::set<std::string>{};
    if (any_untagged) children = index_children(repository, indexes);

    std::vector<sdk::TagInfo> result;
    for (const auto& detail : details) {
        // Copied into each of the image's tags: read bounded.
        sdk::TagInfo info;
        info.digest = image_digest(detail);
        info.media_type = sdk::json_string(detail, "imageManifestMediaType", sdk::max_listed_field);
        if (auto pushed = detail.find("imagePushedAt"); pushed != detail.end())
            if (auto seconds = sdk::json_seconds_value(*pushed)) info.pushed = rfc3339_from_epoch(double(*seconds));
        std::vector<std::string> names;
        if (auto tags = detail.find("imageTags"); tags != detail.end() && tags->is_array())
            for (const auto& tag : *tags)
                if (tag.is_string() && !tag.get<std::string>().empty()) names.push_back(tag.get<std::string>());
        if (names.empty()) {
            if (info.digest.empty() || !children || children->count(info.digest)) continue;
            result.push_back(info);
        }
        for (auto& name : names) {
            info.tag = std::move(name);
            result.push_back(info);
        }
    }
    return result;
}

std::optional<std::set<std::string>> EcrSession::index_children(const sdk::Repository& repository,
                                                                const std::vector<std::string>& indexes) {
    std::set<std::string> children;
    for (const auto& digest : indexes) {
        sdk::HttpRequest request;
        request.url = registry_base_ + "/v2/" + repository.name + "/manifests/" + digest;
        request.registry_auth = true;
        request.headers.emplace_back("Accept", std::string(index_types[0]) + ", " + index_types[1]);
        auto response = host_.http(request);
        // The listing was cut at its bounds (the core reports it), on this read
        // or on the token request it needed (the core answers that read as
        // cut too): which untagged images are platforms is unknown, so none is
        // listed.
        if (sdk::listing_cut(response)) return std::nullopt;
        auto body = response.ok() ? nlohmann::json::parse(response.body, nullptr, false) : nlohmann::json();
        if (!body.is_object() || !body.contains("manifests") || !body["manifests"].is_array()) {
            // Better a few extra untagged rows than a dropped image.
            host_.warn("Could not read index " + repository.name + "@" + digest + " (" + response.describe() +
                       "); its platform manifests stay listed as untagged images");
            continue;
        }
        for (const auto& entry : body["manifests"])
            if (entry.is_object()) children.insert(sdk::json_string(entry, "digest"));
    }
    return children;
}

std::optional<std::string> EcrSession::authorize(const sdk::AuthRequest& request) {
    // The token opens every repository the caller may pull: never hand it to another host.
    if (sdk::parse_url(request.url).authority() != registry_authority_) return std::nullopt;
    std::lock_guard lock(token_mutex_);
    if (authorization_.empty() || env_.now() >= refresh_at_) fetch_token();
    return authorization_;
}

void EcrSession::fetch_token() {
    const std::string subject = registry_id_.empty() ? "the caller's registry" : "registry " + registry_id_;
    auto cut_or_answer = api_->page("GetAuthorizationToken", nlohmann::json::object(), subject);
    if (!cut_or_answer)
        throw sdk::Error(REGSCAN_UNREACHABLE, "ECR GetAuthorizationToken for " + subject +
                                                  ": refused by the listing's bounds (the listing is cut)");
    const auto& answer = *cut_or_answer;
    auto list = answer.find("authorizationData");
    if (list == answer.end() || !list->is_array() || list->empty() || !(*list)[0].is_object())
        throw sdk::Error(REGSCAN_AUTH_FAILED, "ECR GetAuthorizationToken for " + subject + " returned no authorizationData");
    const auto& data = (*list)[0];
    auto token = sdk::json_string(data, "authorizationToken");
    host_.add_secret(token);
    auto decoded = base64_decode(token);
    if (token.empty() || !decoded || decoded->find(':') == std::string::npos)
        throw sdk::Error(REGSCAN_AUTH_FAILED,
                         "ECR GetAuthorizationToken for " + subject + " returned a token that is not base64 user:password");
    host_.add_secret(decoded->substr(decoded->find(':') + 1));
    authorization_ = "Basic " + token;
    host_.add_secret(authorization_);

    const auto now = env_.now();
    auto expires = data.find("expiresAt");
    auto expires_seconds = expires != data.end() ? sdk::json_seconds_value(*expires) : std::nullopt;
    if (expires_seconds) {
        auto expires_at = from_epoch(double(*expires_seconds));
        auto margin = std::min<TimePoint::duration>(token_margin, (expires_at - now) / 2);
        refresh_at_ = expires_at > now ? expires_at - margin : now;
    } else {
        refresh_at_ = now + token_margin;
    }
}

}  // namespace regscan::ecr
