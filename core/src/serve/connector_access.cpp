#include "serve/connector_access.hpp"

#include "http/plain_url.hpp"
#include "log/secrets.hpp"
#include "regscan/host.hpp"
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
// --ecr-endpoint, --azure-authority-host...), even as a bare host name that
// the plugin completes with a scheme of its own.
bool names_a_place(const std::string& option) {
    for (const char* suffix : {"-api", "-endpoint", "-host", "-registry", "-url", "-audience"})
        if (option.ends_with(suffix)) return true;
    return false;
}

}  // namespace

std::optional<std::string> option_naming_another_host(const std::string& registry_url,
                                                      const std::map<std::string, std::string>& plugin_options) {
    for (const auto& [name, value] : plugin_options) {
        if (value.empty() || (value.find("://") == std::string::npos && !names_a_place(name))) continue;
        if (http::credential_destination_problem(registry_url, value)) return name;
    }
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
