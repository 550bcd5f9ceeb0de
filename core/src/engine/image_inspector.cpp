#include "engine/image_inspector.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "engine/image_timeout.hpp"
#include "limits/limits.hpp"
#include "oci/reference_grammar.hpp"
#include "regscan/error.hpp"
#include "util/time.hpp"
#include "regscan/digest.hpp"

namespace regscan::engine {
namespace {

// Schema 1 keeps the config as JSON text inside history[0].v1Compatibility.
std::string schema1_build_time(const std::string& body) {
    auto manifest = nlohmann::json::parse(body, nullptr, false);
    if (!manifest.is_object() || !manifest.contains("history") || !manifest["history"].is_array() ||
        manifest["history"].empty())
        return {};
    // A document of its own inside a string, which the manifest's check skipped.
    const auto v1_text = manifest["history"][0].value("v1Compatibility", "{}");
    if (limits::registry_json_problem(v1_text)) return {};
    auto v1 = nlohmann::json::parse(v1_text, nullptr, false);
    return v1.is_object() ? util::utc_seconds(v1.value("created", "")) : std::string{};
}

// The index a vendor listing described (Docker Hub's images[]), so that the
// index request, a pull on rate-limited registries, is not needed. Only when
// the listing named the tag's digest and every entry is complete.
std::optional<oci::Manifest> listed_index(const ImageRecord& image) {
    if (image.listed_platforms.empty() || image.digest.empty()) return std::nullopt;
    oci::Manifest index;
    index.kind = oci::ManifestKind::Index;
    index.media_type = image.media_type;
    for (const auto& listed : image.listed_platforms) {
        auto platform = oci::Platform::parse(listed.platform);
        // Not what a listing may stand for: the core reads the index itself.
        if (!sdk::valid_digest(listed.digest) || !platform) return std::nullopt;
        oci::Descriptor entry;
        entry.digest = listed.digest;
        entry.platform = std::move(platform);
        index.manifests.push_back(std::move(entry));
    }
    return index;
}

}  // namespace

std::string ImageInspector::base_of(const ImageRecord& image) const {
    return image.repository.pull_base.empty() ? registry_base_ : image.repository.pull_base;
}

oci::Manifest ImageInspector::checked_manifest(const oci::FetchedManifest& fetched, const std::string& what) const {
    oci::Manifest manifest;
    try {
        manifest = oci::parse_manifest(fetched.body, fetched.content_type);
    } catch (const std::exception& e) {
        throw sdk::Error(REGSCAN_ERROR, "manifest " + what + ": " + e.what());
    }
    return checked(std::move(manifest), what);
}

oci::Manifest ImageInspector::checked(oci::Manifest manifest, const std::string& what) const {
    if (manifest.layers.size() > limits_.max_layers)
        throw sdk::Error(REGSCAN_ERROR, "manifest " + what + " has " + std::to_string(manifest.layers.size()) +
                                            " layers, more than " + std::to_string(limits_.max_layers) +
                                            " (--max-layers)");
    if (manifest.manifests.size() > limits_.max_index_entries)
        throw sdk::Error(REGSCAN_ERROR, "index " + what + " has " + std::to_string(manifest.manifests.size()) +
                                            " entries, more than " + std::to_string(limits_.max_index_entries) +
                                            " (--max-index-entries)");
    auto check = [&](const oci::Descriptor& d, const char* kind) {
        if (!sdk::valid_digest(d.digest))
            throw sdk::Error(REGSCAN_ERROR, "manifest " + what + ": " + kind + " with a malformed digest");
    };
    if (manifest.kind == oci::ManifestKind::Image) check(manifest.config, "config");
    for (const auto& layer : manifest.layers) check(layer, "layer");
    for (const auto& entry : manifest.manifests) check(entry, "index entry");
    return manifest;
}

ResolvedImage ImageInspector::resolve_image(const ImageRecord& image, oci::Manifest manifest, std::string digest,
                                            std::string platform, Deadline deadline) const {
    ResolvedImage resolved{std::move(platform), std::move(digest), std::move(manifest), {}, {}};
    const auto& config_digest = resolved.manifest.config.digest;
    auto text = client_.blob(base_of(image), name_of(image), config_digest, limits_.max_config_size, deadline);
    if (auto problem = limits::registry_json_problem(text))
        throw sdk::Error(REGSCAN_ERROR, "config " + config_digest + ": " + *problem);
    resolved.config = nlohmann::json::parse(text, nullptr, false);
    if (!resolved.config.is_object())
        throw sdk::Error(REGSCAN_ERROR, "config " + config_digest + " is not a JSON object");
    // The config names each layer's uncompressed digest; the scan checks
    // them one by one, the count is checked here.
    const auto& rootfs = resolved.config.contains("rootfs") ? resolved.config["rootfs"] : nlohmann::json();
    if (rootfs.is_object() && rootfs.contains("diff_ids")) {
        const auto& diff_ids = rootfs["diff_ids"];
        if (!diff_ids.is_array() || diff_ids.size() != resolved.manifest.layers.size())
            throw sdk::Error(REGSCAN_ERROR, "config " + config_digest + ": rootfs.diff_ids lists " +
                                                std::to_string(diff_ids.is_array() ? diff_ids.size() : 0) +
                                                " layers, the manifest " +
                                                std::to_string(resolved.manifest.layers.size()) + " (diff_id mismatch)");
    }
    auto created = resolved.config.value("created", "");
    resolved.build_time = util::utc_seconds(created);
    if (!created.empty() && resolved.build_time.empty())
        throw sdk::Error(REGSCAN_ERROR, "config " + config_digest + " has a malformed created time: " + created);
    if (resolved.platform.empty()) {
        oci::Platform p{resolved.config.value("os", ""), resolved.config.value("architecture", ""),
                        resolved.config.value("variant", "")};
        resolved.platform = p.os.empty() ? "unknown" : p.str();
    }
    // The image chose it (its config or index); every output shows it, the
    // state keys on it and --platform parses it: not cut, refused.
    if (resolved.platform.size() > limits::max_echoed_value)
        throw sdk::Error(REGSCAN_ERROR, "config " + config_digest + ": its platform (os/architecture/variant) takes " +
                                            std::to_string(resolved.platform.size()) + " bytes (more than " +
                                            std::to_string(limits::max_echoed_value) + ")");
    return resolved;
}

std::vector<ResolvedImage> ImageInspector::resolve(ImageRecord& image, Deadline deadline) const {
    const auto& name = name_of(image);
    const std::string base = base_of(image);
    std::vector<ResolvedImage> resolved;
    oci::Manifest manifest;
    if (auto listed = listed_index(image)) {
        // The plugin's listing stands for the index: the same bounds.
        manifest = checked(std::move(*listed), image.name() + " (as listed)");
    } else {
        auto fetched = client_.manifest(base, name, image.tag.empty() ? image.digest : image.tag,
                                        limits_.max_manifest_size, deadline);
        image.digest = fetched.digest;
        manifest = checked_manifest(fetched, image.name());
        image.media_type = manifest.media_type;
        switch (manifest.kind) {
            case oci::ManifestKind::Artifact:
                image.skipped = true;
                image.skip_reason = "not an image: artifact of type " + manifest.artifact_type;
                return resolved;
            case oci::ManifestKind::Schema1:
                image.build_time = schema1_build_time(fetched.body);
                return resolved;
            case oci::ManifestKind::Image: {
                resolved.push_back(resolve_image(image, std::move(manifest), fetched.digest, "", deadline));
                image.platforms.push_back(resolved.back().platform);
                // The config's time wins over the listing's, which stays only without one.
                if (!resolved.back().build_time.empty()) image.build_time = resolved.back().build_time;
                auto platform = oci::Platform::parse(resolved.back().platform);
                if (require_platform_ && !platform_.all && platform && !platform_.matches(*platform)) {
                    image.skipped = true;
                    image.skip_reason = "single-platform image for " + resolved.back().platform +
                                        " does not match the requested platform " + platform_.wanted.str();
                    resolved.clear();
                }
                return resolved;
            }
            case oci::ManifestKind::Index: break;
        }
    }

    auto chosen = oci::select_platforms(manifest, platform_);
    // An index may name one manifest many times: each is read once.
    std::set<std::string> distinct;
    std::erase_if(chosen, [&](const oci::Descriptor& entry) { return !distinct.insert(entry.digest).second; });
    if (chosen.empty()) {
        std::string available;
        for (const auto& entry : manifest.manifests)
            if (entry.platform && !entry.is_attestation)
                available += (available.empty() ? "" : ", ") + entry.platform->str();
        image.skipped = true;
        image.skip_reason = "no manifest for the requested platform in the index (has: " +
                            (available.empty() ? std::string("none") : available) + ")";
        return resolved;
    }
    // With several platforms the newest build is the one to report; the
    // configs' times win over the listing's, which stays only without any.
    std::string newest_config;
    for (const auto& entry : chosen) {
        // The walk of an index counts against the image's deadline.
        if (deadline && std::chrono::steady_clock::now() > *deadline)
            throw ImageTimeout("image timed out while reading the platforms of its index");
        auto child = client_.manifest(base, name, entry.digest, limits_.max_manifest_size, deadline);
        auto child_manifest = checked_manifest(child, name + "@" + entry.digest);
        if (child_manifest.kind != oci::ManifestKind::Image) continue;
        resolved.push_back(resolve_image(image, std::move(child_manifest), entry.digest,
                                         entry.platform ? entry.platform->str() : "", deadline));
        image.platforms.push_back(resolved.back().platform);
        newest_config = std::max(newest_config, resolved.back().build_time);
    }
    if (!newest_config.empty()) image.build_time = newest_config;
    if (resolved.empty()) {
        image.skipped = true;
        image.skip_reason = "index holds no image for the requested platform";
    }
    return resolved;
}

}  // namespace regscan::engine
