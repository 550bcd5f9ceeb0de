#include "oci/manifest.hpp"
#include "regscan/json_fields.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "limits/limits.hpp"

namespace regscan::oci {
namespace {

using nlohmann::json;

Descriptor parse_descriptor(const json& j) {
    Descriptor d;
    d.media_type = j.value("mediaType", "");
    d.digest = j.value("digest", "");
    d.size = sdk::json_integer(j, "size", 0LL);
    d.artifact_type = j.value("artifactType", "");
    if (j.contains("urls") && j["urls"].is_array())
        for (const auto& u : j["urls"])
            if (u.is_string()) d.urls.push_back(u.get<std::string>());
    if (j.contains("platform") && j["platform"].is_object()) {
        const auto& p = j["platform"];
        d.platform = Platform{p.value("os", ""), p.value("architecture", ""), p.value("variant", "")};
    }
    if (j.contains("annotations") && j["annotations"].is_object()) {
        const auto& a = j["annotations"];
        d.is_attestation = a.value("vnd.docker.reference.type", "") == "attestation-manifest";
    }
    if (d.digest.empty()) throw std::runtime_error("descriptor without a digest");
    return d;
}

// What a non-image manifest holds, named after its config or layer type.
std::string artifact_kind(const Manifest& m) {
    if (!m.artifact_type.empty()) return m.artifact_type;
    if (!m.config.media_type.empty() && m.config.media_type != media::oci_config &&
        m.config.media_type != media::docker_config)
        return m.config.media_type;
    return m.layers.empty() ? std::string("unknown") : m.layers.front().media_type;
}

}  // namespace

std::string manifest_accept_header() {
    return std::string(media::oci_index) + ", " + media::oci_manifest + ", " + media::docker_list + ", " +
           media::docker_manifest + ", " + media::docker_schema1_signed + ";q=0.5, " + media::docker_schema1 +
           ";q=0.5";
}

bool is_filesystem_layer(std::string_view media_type) {
    return media_type.rfind("application/vnd.oci.image.layer.", 0) == 0 ||
           media_type.rfind("application/vnd.docker.image.rootfs.", 0) == 0;
}

Manifest parse_manifest(std::string_view body, std::string_view content_type) {
    if (auto problem = limits::registry_json_problem(body)) throw std::runtime_error("manifest: " + *problem);
    json j;
    try {
        j = json::parse(body);
    } catch (const json::exception& e) {
        throw std::runtime_error(std::string("manifest is not JSON: ") + e.what());
    }
    if (!j.is_object()) throw std::runtime_error("manifest is not a JSON object");
    Manifest m;
    m.media_type = j.value("mediaType", "");
    if (m.media_type.empty()) m.media_type = std::string(content_type.substr(0, content_type.find(';')));
    m.artifact_type = j.value("artifactType", "");

    if (sdk::json_integer(j, "schemaVersion", 0) == 1 || m.media_type == media::docker_schema1 ||
        m.media_type == media::docker_schema1_signed) {
        m.kind = ManifestKind::Schema1;
        return m;
    }
    if (j.contains("manifests")) {
        if (!j["manifests"].is_array()) throw std::runtime_error("index \"manifests\" is not an array");
        m.kind = ManifestKind::Index;
        for (const auto& entry : j["manifests"]) m.manifests.push_back(parse_descriptor(entry));
        if (!m.artifact_type.empty()) m.kind = ManifestKind::Artifact;
        return m;
    }
    if (!j.contains("config") || !j["config"].is_object())
        throw std::runtime_error("manifest has neither \"config\" nor \"manifests\"");
    m.config = parse_descriptor(j["config"]);
    if (j.contains("layers")) {
        if (!j["layers"].is_array()) throw std::runtime_error("manifest \"layers\" is not an array");
        for (const auto& layer : j["layers"]) m.layers.push_back(parse_descriptor(layer));
    }
    bool image_config = m.config.media_type == media::oci_config || m.config.media_type == media::docker_config;
    bool has_filesystem = m.layers.empty();
    for (const auto& layer : m.layers) has_filesystem = has_filesystem || is_filesystem_layer(layer.media_type);
    if (!m.artifact_type.empty() || !image_config || !has_filesystem) {
        m.kind = ManifestKind::Artifact;
        m.artifact_type = artifact_kind(m);
    }
    return m;
}

std::optional<Platform> Platform::parse(const std::string& text) {
    auto first = text.find('/');
    if (first == std::string::npos) return std::nullopt;
    auto second = text.find('/', first + 1);
    Platform platform;
    platform.os = text.substr(0, first);
    platform.architecture = text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    if (second != std::string::npos) platform.variant = text.substr(second + 1);
    if (platform.os.empty() || platform.architecture.empty()) return std::nullopt;
    return platform;
}

PlatformSelector PlatformSelector::parse(const std::string& text) {
    PlatformSelector selector;
    if (text == "all" || text == "*") {
        selector.all = true;
        return selector;
    }
    auto wanted = Platform::parse(text);
    if (!wanted) throw std::invalid_argument("platform must be os/arch[/variant] or all: " + text);
    selector.wanted = std::move(*wanted);
    return selector;
}

bool PlatformSelector::matches(const Platform& p) const {
    if (all) return true;
    if (p.os != wanted.os || p.architecture != wanted.architecture) return false;
    // "linux/arm64" matches any arm64 variant; "linux/arm/v7" only v7.
    return wanted.variant.empty() || p.variant == wanted.variant;
}

std::vector<Descriptor> select_platforms(const Manifest& index, const PlatformSelector& selector) {
    std::vector<Descriptor> chosen;
    for (const auto& entry : index.manifests) {
        if (entry.is_attestation || !entry.artifact_type.empty()) continue;
        if (entry.platform && entry.platform->os == "unknown") continue;
        if (!entry.platform) {
            if (selector.all) chosen.push_back(entry);
            continue;
        }
        if (selector.matches(*entry.platform)) chosen.push_back(entry);
    }
    return chosen;
}

}  // namespace regscan::oci
