// The JSON of Nexus's REST API (/service/rest/v1) turned into plain structs,
// without I/O so that it can be tested alone. Every field is checked: a
// Nexus answer is as untrusted as any registry's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace regscan::nexus {

// One entry of GET /service/rest/v1/repositories (RepositoryXO).
struct NexusRepository {
    std::string name;
    std::string format;  // "docker", "maven2", ...
    std::string type;    // "hosted", "proxy", "group"
    std::string remote;  // a proxy's remote URL when told
};

// One entry of GET /service/rest/v1/repositorySettings (administrators only).
struct RepositorySettings {
    bool online = true;
    std::optional<int> http_port;   // docker.httpPort: an HTTP connector
    std::optional<int> https_port;  // docker.httpsPort: an HTTPS connector
    std::vector<std::string> members;  // group.memberNames, in the group's order
    std::string remote;
};

// One docker component of GET /service/rest/v1/components: `version` is the
// tag (or a digest, for the images of a multi-platform index); the digest,
// media type and time come from its manifest asset.
struct Component {
    std::string repository;  // the member holding it, when a group was listed
    std::string name;
    std::string version;
    std::string digest;      // "sha256:<hex>" from the asset's checksum.sha256, "" when absent or malformed
    std::string media_type;  // the asset's contentType
    std::string last_modified;
};

// Throw sdk::Error(REGSCAN_ERROR) naming `url` when the body is not the documented shape.
std::vector<NexusRepository> parse_repositories(const nlohmann::json& body, const std::string& url);
std::map<std::string, RepositorySettings> parse_settings(const nlohmann::json& body, const std::string& url);
std::vector<Component> parse_components(const nlohmann::json& body, const std::string& url);

}  // namespace regscan::nexus
