// What a registry plugin implements, as plain C++: identify a URL, open a
// session with credentials, list repositories and tags, optionally authorise
// /v2/ requests itself. <regscan/plugin.hpp> turns it into the C tables.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/host.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/url.hpp"

namespace regscan::sdk {

// What the core learned about a URL before asking plugins: one unauthenticated
// GET /v2/ so that identifying costs one request, not one per plugin.
struct Probe {
    std::string url;
    Url parsed;
    long ping_status = 0;                         // 0: no answer
    std::map<std::string, std::string> ping_headers;  // lowercase names
    std::string ping_error;
    // (1.2) identify() runs in two passes. Pass 1 (false): decide from the URL
    // and the ping alone, no HTTP. When no plugin scored 50 or more, 1.2
    // plugins are asked again with true: each may make ONE unauthenticated GET
    // (a vendor's status endpoint) to prove the type; the host refuses more.
    // (1.5) Those calls run at once, each plugin's on a thread of its own, so
    // a registry that is none of the vendors costs one round trip, not one
    // per plugin; a plugin's identify() never runs twice at once.
    bool may_request = false;

    [[nodiscard]] std::string ping_header(const std::string& lowercase_name) const {
        auto it = ping_headers.find(lowercase_name);
        return it == ping_headers.end() ? std::string{} : it->second;
    }
};

struct Identification {
    int score = 0;     // 0: not mine; 100: certain; negative: type's own plugin is needed
    std::string type;  // one of the plugin's registry types
};

// (1.2) A repeatable option's values as the core hands them over (joined
// with ","): trimmed, empty ones dropped, each once, in the order given.
inline std::vector<std::string> split_option_list(std::string_view joined) {
    std::vector<std::string> items;
    while (!joined.empty()) {
        auto comma = joined.find(',');
        std::string item(trim(joined.substr(0, comma)));
        joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
        if (!item.empty() && std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
    }
    return items;
}

struct SessionConfig {
    std::string url;
    std::string type;
    std::string username;
    std::string password;
    std::map<std::string, std::string> options;  // vendor options, e.g. "ecr-endpoint"
    // (1.1.1) The most repositories, and tags per repository, the core keeps
    // (--max-repositories, --max-listed-tags); 0: not said (an older core).
    // A listing may stop once it has one more than this: the core keeps the
    // first ones and reports the rest as cut. The core bounds every listing's
    // requests, bytes and time in any case.
    size_t max_repositories = 0;
    size_t max_tags = 0;

    [[nodiscard]] std::string option(const std::string& name, const std::string& fallback = {}) const {
        auto it = options.find(name);
        return it == options.end() || it->second.empty() ? fallback : it->second;
    }
    // (1.2) A repeatable option's values (split_option_list).
    [[nodiscard]] std::vector<std::string> option_list(const std::string& name) const {
        return split_option_list(option(name));
    }
};

// A repository as discovered. pull_base/pull_name say where its /v2/ API
// lives when that differs from the registry URL (Docker Hub, Artifactory).
struct Repository {
    std::string name;       // as users name it: "team/app"
    std::string pull_base;  // "https://registry-1.docker.io"; empty: the registry URL
    std::string pull_name;  // name under pull_base; empty: name
    // The canonical reference clients pull it by, when that is not
    // <registry host>/<name>: "docker.io/library/nginx". Used in reports.
    std::string reference;
    // (1.2) The plugin's own data for this repository (a project, an API id,
    // a repository key), any JSON value; null: none. The core hands it back
    // unchanged to tags() and never shows it. At most 64 KiB serialized.
    nlohmann::json plugin_data;
};

// One image manifest of a multi-platform tag, as a vendor API lists it.
struct PlatformImage {
    std::string platform;  // "os/architecture[/variant]": "linux/arm64/v8"
    std::string digest;    // of that platform's image manifest
};

// (1.3.1) The longest digest, time, media type or platform a listed tag
// carries in any real registry (a media type is at most 255 bytes). Read
// what you copy into several tags with json_string(object, key,
// max_listed_field): a longer value is dropped, as if the API had not said.
inline constexpr size_t max_listed_field = 255;
// (1.3.1) Platforms listed with one repository's tags, all tags together:
// an artifact's platforms are copied into each of its tags, so a hostile
// listing of many platforms and many tags multiplies. Past it, give a tag no
// platforms (the core reads its index, under its own bounds).
inline constexpr size_t max_listed_platforms = 100'000;

struct TagInfo {
    std::string tag;         // empty for an untagged image (digest only)
    std::string digest;      // "sha256:..." when the API tells it
    // RFC 3339 build time when the API tells it. With a digest and an image
    // manifest media type it is all a dry run needs: the core then makes no
    // request for the image, so give it only for images (not charts or other
    // artifacts).
    std::string created;
    std::string pushed;      // RFC 3339 push time when the API tells it
    std::string media_type;  // manifest media type when the API tells it
    // SDK 1.1. The image manifests of an index, when the API lists them with
    // the tag: the core then reads the platforms it wants by digest and skips
    // the index request (a pull on rate-limited registries). Leave empty for
    // a single-platform image or when unsure: the core reads the index.
    std::vector<PlatformImage> platforms;
};

struct AuthRequest {
    std::string url;
    std::string method;
    std::string scope;             // "repository:team/app:pull" or "registry:catalog:*"
    std::string challenge_scheme;  // "Bearer", "Basic"; empty when no challenge was seen
    std::map<std::string, std::string> challenge_params;
};

// (1.2) Credentials a plugin wants the core's standard /v2/ flow to use
// instead of the user's: username + password (Basic, and Basic to the token
// realm), or a token alone (`Bearer <token>` to a Basic challenge and to the
// realm).
struct Credentials {
    std::string username;
    std::string password;
    std::string token;
};

class Session {
public:
    virtual ~Session() = default;
    virtual std::vector<Repository> repositories() = 0;
    // Called concurrently from several threads.
    virtual std::vector<TagInfo> tags(const Repository& repository) = 0;
    // The Authorization header value for a /v2/ request, or nullopt to let
    // the core run the standard Basic/Bearer flow. Called concurrently.
    virtual std::optional<std::string> authorize(const AuthRequest& /*request*/) { return std::nullopt; }
    // (1.2) When authorize() gives nullopt: the credentials the core's
    // standard flow uses (nullopt: the user's own). Called concurrently.
    [[nodiscard]] virtual std::optional<Credentials> pull_credentials() const { return std::nullopt; }
};

// ---- JSON shapes that cross the ABI (see plugin_abi.h) ----

inline void to_json(nlohmann::json& j, const Repository& r) {
    j = {{"name", r.name}};
    if (!r.pull_base.empty()) j["pull_base"] = r.pull_base;
    if (!r.pull_name.empty()) j["pull_name"] = r.pull_name;
    if (!r.reference.empty()) j["reference"] = r.reference;
    if (!r.plugin_data.is_null()) j["plugin_data"] = r.plugin_data;
}
inline void from_json(const nlohmann::json& j, Repository& r) {
    r.name = j.value("name", "");
    r.pull_base = j.value("pull_base", "");
    r.pull_name = j.value("pull_name", "");
    r.reference = j.value("reference", "");
    auto data = j.find("plugin_data");
    r.plugin_data = data == j.end() ? nlohmann::json() : *data;
}
inline void to_json(nlohmann::json& j, const TagInfo& t) {
    j = nlohmann::json::object();
    if (!t.tag.empty()) j["tag"] = t.tag;
    if (!t.digest.empty()) j["digest"] = t.digest;
    if (!t.created.empty()) j["created"] = t.created;
    if (!t.pushed.empty()) j["pushed"] = t.pushed;
    if (!t.media_type.empty()) j["media_type"] = t.media_type;
    if (!t.platforms.empty()) {
        auto& platforms = j["platforms"] = nlohmann::json::array();
        for (const auto& p : t.platforms) platforms.push_back({{"platform", p.platform}, {"digest", p.digest}});
    }
}
inline void from_json(const nlohmann::json& j, TagInfo& t) {
    t.tag = j.value("tag", "");
    t.digest = j.value("digest", "");
    t.created = j.value("created", "");
    t.pushed = j.value("pushed", "");
    t.media_type = j.value("media_type", "");
    t.platforms.clear();
    if (auto it = j.find("platforms"); it != j.end() && it->is_array())
        for (const auto& p : *it)
            if (p.is_object()) t.platforms.push_back({p.value("platform", ""), p.value("digest", "")});
}
inline void to_json(nlohmann::json& j, const SessionConfig& c) {
    j = {{"url", c.url},           {"type", c.type},       {"username", c.username},
         {"password", c.password}, {"options", c.options}, {"limits", {{"repositories", c.max_repositories},
                                                                       {"tags", c.max_tags}}}};
}
inline void from_json(const nlohmann::json& j, SessionConfig& c) {
    c.url = j.value("url", "");
    c.type = j.value("type", "");
    c.username = j.value("username", "");
    c.password = j.value("password", "");
    c.options = j.value("options", std::map<std::string, std::string>{});
    if (auto limits = j.find("limits"); limits != j.end() && limits->is_object()) {
        c.max_repositories = json_integer(*limits, "repositories", size_t{0});
        c.max_tags = json_integer(*limits, "tags", size_t{0});
    }
}
inline void to_json(nlohmann::json& j, const Probe& p) {
    j = {{"url", p.url},
         {"scheme", p.parsed.scheme},
         {"host", p.parsed.host},
         {"port", p.parsed.port},
         {"ping", {{"status", p.ping_status}, {"headers", p.ping_headers}, {"error", p.ping_error}}},
         {"may_request", p.may_request}};
}
inline void from_json(const nlohmann::json& j, Probe& p) {
    p.url = j.value("url", "");
    p.parsed = parse_url(p.url);
    const auto& ping = j.contains("ping") ? j.at("ping") : nlohmann::json::object();
    p.ping_status = json_integer(ping, "status", 0L);
    p.ping_headers = ping.value("headers", std::map<std::string, std::string>{});
    p.ping_error = ping.value("error", "");
    auto may_request = j.find("may_request");
    p.may_request = may_request != j.end() && may_request->is_boolean() && may_request->get<bool>();
}
inline void to_json(nlohmann::json& j, const AuthRequest& a) {
    j = {{"url", a.url},
         {"method", a.method},
         {"scope", a.scope},
         {"challenge", {{"scheme", a.challenge_scheme}, {"params", a.challenge_params}}}};
}
inline void from_json(const nlohmann::json& j, AuthRequest& a) {
    a.url = j.value("url", "");
    a.method = j.value("method", "");
    a.scope = j.value("scope", "");
    if (j.contains("challenge")) {
        a.challenge_scheme = j.at("challenge").value("scheme", "");
        a.challenge_params = j.at("challenge").value("params", std::map<std::string, std::string>{});
    }
}

}  // namespace regscan::sdk
