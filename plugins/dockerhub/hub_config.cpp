#include "hub_config.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::dockerhub {
namespace {

// Docker IDs and organisation names are lowercase letters and digits; dots,
// dashes and underscores are allowed so that older accounts still work. Anything
// else would end up in an API path, so it is refused rather than escaped.
bool valid_namespace(const std::string& name) {
    if (name.empty() || name.size() > 255) return false;
    if (!std::isalnum(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '.' || c == '-' || c == '_';
    });
}

std::string lowercase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// An endpoint override: an http(s) URL, reduced to the base that API paths
// are appended to.
std::string endpoint(const std::string& value, const std::string& fallback, const char* option) {
    if (value.empty()) return fallback;
    auto scheme_end = value.find("://");
    auto scheme = scheme_end == std::string::npos ? std::string{} : lowercase(value.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https")
        throw sdk::Error(REGSCAN_BAD_ARGUMENT, std::string("--") + option + " must be an http:// or https:// URL, not '" +
                                            value + "'");
    return sdk::registry_base(value);
}

// Whole seconds, 0 to max_pull_limit_timeout.
std::chrono::seconds pull_limit_timeout(const std::string& value) {
    if (value.empty()) return default_pull_limit_timeout;
    const bool digits = value.size() <= 4 && value.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stol(value) > max_pull_limit_timeout.count())
        throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--pull-limit-timeout takes whole seconds from 0 to " +
                                                   std::to_string(max_pull_limit_timeout.count()) + ", not '" +
                                                   value + "'");
    return std::chrono::seconds(std::stol(value));
}

}  // namespace

bool is_docker_hub_host(const std::string& host) {
    static constexpr std::array<const char*, 5> hosts = {"hub.docker.com", "docker.io", "index.docker.io",
                                                         "registry-1.docker.io", "registry.hub.docker.com"};
    const std::string name = lowercase(host);
    return std::any_of(hosts.begin(), hosts.end(), [&](const char* h) { return name == h; });
}

std::vector<std::string> split_namespaces(const std::string& joined) {
    std::vector<std::string> names;
    for (const auto& item : sdk::split_option_list(joined)) {
        std::string name = lowercase(item);
        if (!valid_namespace(name))
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "'" + name +
                                                "' is not a Docker Hub namespace (an account or organisation "
                                                "name: lowercase letters, digits, '.', '-', '_')");
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    return names;
}

std::string namespace_from_url(const std::string& url) {
    auto parsed = sdk::parse_url(url);
    if (!is_docker_hub_host(parsed.host)) return {};
    std::string path = parsed.path.substr(0, parsed.path.find_first_of("?#"));
    for (const char* prefix : {"/u/", "/orgs/", "/r/"}) {
        std::string p = prefix;
        if (path.rfind(p, 0) != 0) continue;
        std::string rest = path.substr(p.size());
        std::string name = lowercase(rest.substr(0, rest.find('/')));
        return valid_namespace(name) ? name : std::string{};
    }
    return {};
}

HubConfig hub_config(const sdk::SessionConfig& config) {
    HubConfig hub;
    hub.api = endpoint(config.option("hub-api"), default_api, "hub-api");
    hub.registry = endpoint(config.option("hub-registry"), default_registry, "hub-registry");
    hub.pulls_from_mirror = !is_docker_hub_host(sdk::parse_url(hub.registry).host);
    hub.pull_limit_timeout = pull_limit_timeout(config.option("pull-limit-timeout"));
    hub.username = config.username;
    hub.secret = config.password;

    hub.namespaces = split_namespaces(config.option("namespace"));
    if (hub.namespaces.empty()) {
        if (auto from_url = namespace_from_url(config.url); !from_url.empty()) hub.namespaces.push_back(from_url);
    }
    if (hub.namespaces.empty() && !hub.username.empty()) {
        // A login by e-mail address names no namespace.
        if (!valid_namespace(lowercase(hub.username)))
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "the username is not a Docker Hub namespace; name the accounts or "
                                            "organisations to list with --namespace NAME");
        hub.namespaces.push_back(lowercase(hub.username));
    }
    if (hub.namespaces.empty())
        throw sdk::Error(REGSCAN_BAD_ARGUMENT,
                         "Docker Hub has no catalog of all repositories: name the accounts or organisations to list "
                         "with --namespace NAME (repeatable; 'library' for the official images), or give "
                         "--username to list your own");
    return hub;
}

}  // namespace regscan::dockerhub
