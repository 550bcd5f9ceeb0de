// Pulls from any OCI distribution (/v2/) endpoint: manifests and blobs, each
// verified against its sha256 digest. Authorisation is RegistryAuth's job.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "auth/registry_auth.hpp"

namespace regscan::oci {

struct FetchedManifest {
    std::string body;
    std::string content_type;
    std::string digest;  // "sha256:<hex>" of the body
};

class DistributionClient {
public:
    explicit DistributionClient(auth::RegistryAuth& auth) : auth_(auth) {}
    // Virtual so that an image can come from elsewhere than a registry (a
    // local OCI layout, core/src/local/): the inspector and the scanner read
    // through these four only.
    virtual ~DistributionClient() = default;

    // GET <base>/v2/<name>/manifests/<reference>, at most `max_size` bytes
    // (decoded). Throws sdk::Error naming the reference and what the
    // registry answered.
    virtual FetchedManifest manifest(const std::string& base, const std::string& name, const std::string& reference,
                             size_t max_size,
                             std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) const;

    // HEAD <base>/v2/<name>/manifests/<reference>: the digest the registry
    // reports, "" when it does not say. HEAD does not count against pull
    // rate limits (Docker Hub), so it is how an unchanged image is recognised.
    // Past `deadline` (with its token request, if any) it fails: "".
    virtual std::string manifest_digest(
        const std::string& base, const std::string& name, const std::string& reference,
        std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) const;

    // GET <base>/v2/<name>/blobs/<digest> into memory, refusing more than
    // `max_size` bytes (configs are small; layers are streamed instead).
    virtual std::string blob(const std::string& base, const std::string& name, const std::string& digest,
                     size_t max_size,
                     std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) const;

    // Streams a blob to `consumer`, verifying its digest at the end.
    virtual void stream_blob(const std::string& base, const std::string& name, const std::string& digest,
                     const std::function<void(const char*, size_t)>& consumer,
                     std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) const;

private:
    auth::RegistryAuth& auth_;
};

}  // namespace regscan::oci
