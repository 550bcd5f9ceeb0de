// Manifests of the OCI image spec and Docker's schema 2: what kind of thing a
// tag points at (image, multi-platform index, non-image artifact, legacy
// schema 1) and where its config and layers are.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regscan::oci {

namespace media {
inline constexpr const char* oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* docker_schema1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr const char* docker_schema1_signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr const char* oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* docker_config = "application/vnd.docker.container.image.v1+json";
}  // namespace media

// The Accept header for manifest requests: every kind we understand.
std::string manifest_accept_header();

struct Platform {
    std::string os;
    std::string architecture;
    std::string variant;

    [[nodiscard]] std::string str() const { return os + "/" + architecture + (variant.empty() ? "" : "/" + variant); }
    // "os/arch[/variant]"; nullopt when os or arch is missing.
    static std::optional<Platform> parse(const std::string& text);
};

struct Descriptor {
    std::string media_type;
    std::string digest;
    long long size = 0;
    std::optional<Platform> platform;
    std::string artifact_type;
    std::vector<std::string> urls;  // foreign layers
    bool is_attestation = false;    // buildkit's attestation-manifest entries
};

enum class ManifestKind { Image, Index, Artifact, Schema1 };

struct Manifest {
    ManifestKind kind = ManifestKind::Image;
    std::string media_type;
    std::string artifact_type;  // for artifacts: what it is (signature, SBOM, Helm chart, ...)
    Descriptor config;
    std::vector<Descriptor> layers;
    std::vector<Descriptor> manifests;  // index entries
};

// Parses a manifest body; `content_type` is the response's Content-Type and
// is used when the body has no mediaType. Throws std::runtime_error with the
// reason when the body is not a manifest we can read.
Manifest parse_manifest(std::string_view body, std::string_view content_type);

// A --platform value: "linux/amd64", "linux/arm64/v8", or "all".
struct PlatformSelector {
    bool all = false;
    Platform wanted;
    static PlatformSelector parse(const std::string& text);
    [[nodiscard]] bool matches(const Platform& platform) const;
};

// The index entries a selector picks, attestations and artifacts excluded.
std::vector<Descriptor> select_platforms(const Manifest& index, const PlatformSelector& selector);

// True for layer media types that hold a filesystem (tar, possibly compressed).
bool is_filesystem_layer(std::string_view media_type);

}  // namespace regscan::oci
