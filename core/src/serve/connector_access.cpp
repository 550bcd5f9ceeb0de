#include "serve/connector_access.hpp"

#include <arpa/inet.h>

#include "http/plain_url.hpp"
#include "log/secrets.hpp"
#include "regscan/host.hpp"
#include "regscan/url.hpp"
#include "serve/secret_options.hpp"

namespace regscan::serve {

std::map<std::string, std::string> plain_plugin_options(const state::ConnectorRecord& connector) {
    std::map<std::string, std::string> plain;
    if (auto options = connector.config.value("options", nlohmann::json::object()); options.is_object())
        for (const auto& [key, value] : options.items())
            if (value.is_string()) plain[key] = value.get<std::string>();
    return plain;
}

namespace {

// Options that name where a plugin sends requests (--hub-api, --jfrog-api,
// --ecr-endpoint, --azure-authority-host, --jfrog-repository-port...), even
// as a bare host name or port that the plugin completes itself.
bool names_a_place(const std::string& option) {
    for (const char* suffix : {"-api", "-endpoint", "-host", "-registry", "-url", "-audience", "-port"})
        if (option.ends_with(suffix)) return true;
    return false;
}

// Docker keeps credentials by host[:port]: another port of the registry's
// host is another registry to it.
constexpr auto DockerPorts = http::RegistryHostPorts::registry_port_only;

bool is_loopback(const std::string& host) {
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']' &&
        inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return host == "localhost";
}

}  // namespace

std::optional<std::string> docker_credentials_withheld(const std::string& registry_url,
                                                       const std::map<std::string, std::string>& plugin_options,
                                                       const std::string& pull_base) {
    const auto registry = sdk::parse_url(registry_url);
    if (registry.scheme != "https" && !is_loopback(registry.host))
        return "its registry URL is not https (they would cross the network in clear)";
    for (const auto& [name, value] : plugin_options) {
        if (value.empty() || (value.find("://") == std::string::npos && !names_a_place(name))) continue;
        if (http::credential_destination_problem(registry_url, value, DockerPorts))
            return "its plugin option " + name + " names a place they may not go (another host or port, no https, "
                   "or not a plain URL)";
    }
    if (!pull_base.empty() && http::credential_destination_problem(registry_url, pull_base, DockerPorts))
        return "the image is pulled from another host or port than its registry's";
    return std::nullopt;
}

bool still_names(const state::ConnectorRecord& connector, const std::string& registry_url, const std::string& type) {
    return http::same_origin(connector.config.value("url", ""), registry_url) &&
           sdk::iequals(connector.config.value("type", ""), type);
}

ConnectorAccess connector_access(const state::ConnectorRecord& connector, const SecretBox& secrets) {
    const auto& c = connector.config;
    ConnectorAccess access;
    access.credentials.username = c.value("username", "");
    if (!connector.sealed_password.empty()) {
        access.credentials.password = secrets.open(connector.sealed_password);
        log::add_secret(access.credentials.password);
    }
    access.plugin_options = plain_plugin_options(connector);
    for (auto& [key, value] : open_secret_options(c, secrets)) access.plugin_options[key] = std::move(value);
    return access;
}

void ConnectorAccess::apply_to(engine::RunOptions& run) const {
    run.credentials = credentials;
    run.given_plugin_options.clear();
    for (const auto& [key, value] : plugin_options) {
        run.plugin_options[key] = value;
        run.given_plugin_options.insert(key);
    }
}

}  // namespace regscan::serve
