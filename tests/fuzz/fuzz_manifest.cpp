// oci::parse_manifest on a registry's manifest body, then what the engine does
// with an index: select_platforms for a few --platform values.
// Input: byte 0 chooses the response's Content-Type, the rest is the body.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "oci/manifest.hpp"

using namespace regscan::oci;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const char* const content_types[] = {
        "", media::oci_index, media::oci_manifest, media::docker_list, media::docker_manifest,
        media::docker_schema1_signed, "application/json; charset=utf-8", "text/plain"};
    std::string_view content_type = content_types[data[0] % std::size(content_types)];
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

    Manifest manifest;
    try {
        manifest = parse_manifest(body, content_type);
    } catch (const std::exception&) {
        return 0;  // a refused manifest: the engine records it on the image
    }
    for (const char* wanted : {"all", "linux/amd64", "linux/arm64/v8", "linux/arm"}) {
        auto chosen = select_platforms(manifest, PlatformSelector::parse(wanted));
        for (const auto& entry : chosen)
            if (entry.platform) (void)Platform::parse(entry.platform->str());
    }
    for (const auto& layer : manifest.layers) (void)is_filesystem_layer(layer.media_type);
    return 0;
}
