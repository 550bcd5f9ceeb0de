// Reads what discovery needs of one image: its manifest (following an index
// to the platforms asked for), whether it is an image at all, and its build
// time from the config.
#pragma once

#include <string>

#include "engine/image_record.hpp"
#include "oci/distribution_client.hpp"
#include "oci/manifest.hpp"

namespace regscan::engine {

class ImageInspector {
public:
    ImageInspector(const oci::DistributionClient& client, std::string registry_base, oci::PlatformSelector platform)
        : client_(client), registry_base_(std::move(registry_base)), platform_(std::move(platform)) {}

    // Fills digest, media type, platforms and build time, or marks the image
    // skipped (artifact, no matching platform). Throws sdk::Error when the
    // registry's answer cannot be read.
    void inspect(ImageRecord& image) const;

private:
    [[nodiscard]] std::string base_of(const ImageRecord& image) const;
    // The config's "created" of one image manifest, UTC; "" when absent.
    [[nodiscard]] std::string build_time(const ImageRecord& image, const oci::Manifest& manifest) const;

    const oci::DistributionClient& client_;
    std::string registry_base_;
    oci::PlatformSelector platform_;
};

}  // namespace regscan::engine
