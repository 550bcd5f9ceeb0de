// An OCI image layout directory (`oci:DIR[:REF]`: oci-layout, index.json,
// blobs/sha256/<hex>) read as if it were a registry, so the inspector and the
// scanner need no change and nothing goes over the network. Every file is
// untrusted: only blobs/sha256/<64 hex> regular files (no symlink) are opened,
// sizes are bounded by limits::Limits, and every blob's digest is checked.
#pragma once

#include <filesystem>
#include <string>

#include "limits/limits.hpp"
#include "oci/distribution_client.hpp"

namespace regscan::local {

class OciLayout : public oci::DistributionClient {
public:
    // Reads DIR/index.json and picks the image whose
    // org.opencontainers.image.ref.name is `ref`, or, without `ref`, the only
    // image. Throws sdk::Error naming the problem (listing the refs it has).
    // `auth` is never used (the base class wants one).
    OciLayout(auth::RegistryAuth& auth, std::filesystem::path directory, const std::string& ref,
              const limits::Limits& limits);

    // The tag the chosen image is known by (its ref name, or "latest") and its digest.
    [[nodiscard]] const std::string& tag() const { return tag_; }
    [[nodiscard]] const std::string& digest() const { return digest_; }

    oci::FetchedManifest manifest(const std::string& base, const std::string& name, const std::string& reference,
                                  size_t max_size,
                                  std::optional<std::chrono::steady_clock::time_point> deadline) const override;
    std::string manifest_digest(const std::string& base, const std::string& name, const std::string& reference,
                                std::optional<std::chrono::steady_clock::time_point> deadline) const override;
    std::string blob(const std::string& base, const std::string& name, const std::string& digest, size_t max_size,
                     std::optional<std::chrono::steady_clock::time_point> deadline) const override;
    void stream_blob(const std::string& base, const std::string& name, const std::string& digest,
                     const std::function<void(const char*, size_t)>& consumer,
                     std::optional<std::chrono::steady_clock::time_point> deadline) const override;

private:
    // DIR/blobs/sha256/<hex> for `digest`, checked to be a regular file (not a
    // symlink); throws for a malformed digest or a missing blob.
    [[nodiscard]] std::filesystem::path blob_path(const std::string& digest) const;

    std::filesystem::path directory_;
    const limits::Limits& limits_;
    std::string tag_;
    std::string digest_;
    std::string media_type_;
};

// "oci:DIR[:REF]" split into DIR and REF ("" when none). A path that exists
// as a directory is taken whole even with a ':' in it.
std::pair<std::string, std::string> split_oci_reference(const std::string& after_prefix);

}  // namespace regscan::local
