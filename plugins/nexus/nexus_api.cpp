#include "nexus_api.hpp"

#include <cctype>

#include "regscan/error.hpp"
#include "regscan/json_fields.hpp"

namespace regscan::nexus {
namespace {

using nlohmann::json;

// Longer strings are not names Nexus makes: treated as absent.
constexpr size_t max_field = 1024;

std::string text(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return {};
    auto value = it->get<std::string>();
    return value.size() > max_field ? std::string{} : value;
}

const json& array_of(const json& body, const std::string& url, const char* what) {
    if (!body.is_array()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": expected " + what + " as a JSON array");
    return body;
}

std::optional<int> port(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    auto value = sdk::json_integer_value<long long>(*it);
    if (!value || *value < 1 || *value > 65535) return std::nullopt;
    return static_cast<int>(*value);
}

bool lowercase_hex(const std::string& s, size_t length) {
    if (s.size() != length) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
    return true;
}

// The manifest asset of a docker component: path "[/]v2/<name>/manifests/<version>".
const json* manifest_asset(const json& component, const std::string& name, const std::string& version) {
    auto assets = component.find("assets");
    if (assets == component.end() || !assets->is_array()) return nullptr;
    const std::string wanted = "v2/" + name + "/manifests/" + version;
    for (const auto& asset : *assets) {
        if (!asset.is_object()) continue;
        auto path = text(asset, "path");
        if (!path.empty() && path.front() == '/') path.erase(0, 1);
        if (path == wanted) return &asset;
    }
    return nullptr;
}

}  // namespace

std::vector<NexusRepository> parse_repositories(const json& body, const std::string& url) {
    std::vector<NexusRepository> repositories;
    for (const auto& entry : array_of(body, url, "the repositories")) {
        if (!entry.is_object()) continue;
        NexusRepository repository{text(entry, "name"), text(entry, "format"), text(entry, "type"), {}};
        if (repository.name.empty()) continue;
        if (auto attributes = entry.find("attributes"); attributes != entry.end() && attributes->is_object())
            if (auto proxy = attributes->find("proxy"); proxy != attributes->end() && proxy->is_object())
                repository.remote = text(*proxy, "remoteUrl");
        repositories.push_back(std::move(repository));
    }
    return repositories;
}

std::map<std::string, RepositorySettings> parse_settings(const json& body, const std::string& url) {
    std::map<std::string, RepositorySettings> settings;
    for (const auto& entry : array_of(body, url, "the repository settings")) {
        if (!entry.is_object() || text(entry, "name").empty()) continue;
        RepositorySettings s;
        if (auto online = entry.find("online"); online != entry.end() && online->is_boolean()) s.online = *online;
        if (auto docker = entry.find("docker"); docker != entry.end() && docker->is_object()) {
            s.http_port = port(*docker, "httpPort");
            s.https_port = port(*docker, "httpsPort");
        }
        if (auto group = entry.find("group"); group != entry.end() && group->is_object())
            if (auto names = group->find("memberNames"); names != group->end() && names->is_array())
                for (const auto& member : *names)
                    if (member.is_string() && member.get<std::string>().size() <= max_field)
                        s.members.push_back(member.get<std::string>());
        if (auto proxy = entry.find("proxy"); proxy != entry.end() && proxy->is_object())
            s.remote = text(*proxy, "remoteUrl");
        settings[text(entry, "name")] = std::move(s);
    }
    return settings;
}

std::vector<Component> parse_components(const json& body, const std::string& url) {
    if (!body.is_object()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": expected a JSON object");
    auto items = body.find("items");
    if (items == body.end() || items->is_null()) return {};
    if (!items->is_array()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": \"items\" is not an array");
    std::vector<Component> components;
    for (const auto& item : *items) {
        if (!item.is_object()) continue;
        Component component{text(item, "repository"), text(item, "name"), text(item, "version"), {}, {}, {}};
        if (auto format = text(item, "format"); !format.empty() && format != "docker") continue;
        if (const json* asset = manifest_asset(item, component.name, component.version)) {
            if (auto checksum = asset->find("checksum"); checksum != asset->end() && checksum->is_object()) {
                auto sha256 = text(*checksum, "sha256");
                if (lowercase_hex(sha256, 64)) component.digest = "sha256:" + sha256;
            }
            component.media_type = text(*asset, "contentType");
            component.last_modified = text(*asset, "lastModified");
        }
        components.push_back(std::move(component));
    }
    return components;
}

}  // namespace regscan::nexus
