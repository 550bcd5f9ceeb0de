// Reads what discovery needs of one image: its manifest (following an index
// to the platforms asked for), whether it is an image at all, and its build
// time from the config.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/image_record.hpp"
#include "limits/limits.hpp"
#include "oci/distribution_client.hpp"
#include "oci/manifest.hpp"

namespace regscan::engine {

// One platform of an image, ready to scan.
struct ResolvedImage {
    std::string platform;  // "linux/amd64", "unknown" when the manifest does not say
    std::string digest;    // of this platform's image manifest
    oci::Manifest manifest;
    nlohmann::json config;  // the image config, parsed
    std::string build_time;
};

class ImageInspector {
public:
    using Deadline = std::optional<std::chrono::steady_clock::time_point>;

    ImageInspector(const oci::DistributionClient& client, std::string registry_base, oci::PlatformSelector platform,
                   const limits::Limits& limits = limits::defaults())
        : client_(client), registry_base_(std::move(registry_base)), platform_(std::move(platform)), limits_(limits) {}

    // A single-platform image must be of the platform asked for (--platform
    // given), else it is skipped with the reason; by default it is taken
    // whatever its platform.
    void require_platform(bool required) { require_platform_ = required; }

    // Fills digest, media type, platforms and build time, or marks the image
    // skipped (artifact, no matching platform). Throws sdk::Error when the
    // registry's answer cannot be read or is past a limit (manifest size,
    // layers, index entries), and ImageTimeout past `deadline`.
    void inspect(ImageRecord& image, Deadline deadline = std::nullopt) const { resolve(image, deadline); }

    // As inspect(), and returns each platform picked with its manifest and
    // config (none when the image is skipped or a schema 1 manifest).
    std::vector<ResolvedImage> resolve(ImageRecord& image, Deadline deadline = std::nullopt) const;

    [[nodiscard]] std::string base_of(const ImageRecord& image) const;
    // The digest of the image's tag: the listing's, else a HEAD request's
    // (one per tag and run: empty when it failed or passed `deadline`).
    [[nodiscard]] std::string current_digest(const ImageRecord& image, Deadline deadline) const {
        if (!image.digest.empty() || image.digest_asked) return image.digest;
        return client_.manifest_digest(base_of(image), name_of(image), image.tag, deadline);
    }
    [[nodiscard]] static const std::string& name_of(const ImageRecord& image) {
        return image.repository.pull_name.empty() ? image.repository.name : image.repository.pull_name;
    }

private:
    [[nodiscard]] ResolvedImage resolve_image(const ImageRecord& image, oci::Manifest manifest, std::string digest,
                                              std::string platform, Deadline deadline) const;
    // Parses a fetched manifest and checks it against the limits.
    [[nodiscard]] oci::Manifest checked_manifest(const oci::FetchedManifest& fetched, const std::string& what) const;
    // `manifest` when it is within the limits (layers, index entries, digests).
    [[nodiscard]] oci::Manifest checked(oci::Manifest manifest, const std::string& what) const;

    const oci::DistributionClient& client_;
    std::string registry_base_;
    oci::PlatformSelector platform_;
    const limits::Limits& limits_;
    bool require_platform_ = false;
};

}  // namespace regscan::engine
