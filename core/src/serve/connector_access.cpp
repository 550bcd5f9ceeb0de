#include "serve/connector_access.hpp"

#include "log/secrets.hpp"
#include "regscan/url.hpp"
#include "util/text.hpp"
#include "serve/secret_options.hpp"

namespace regscan::serve {

std::map<std::string, std::string> plain_plugin_options(const state::ConnectorRecord& connector) {
    std::map<std::string, std::string> plain;
    if (auto options = connector.config.value("options", nlohmann::json::object()); options.is_object())
        for (const auto& [key, value] : options.items())
            if (value.is_string()) plain[key] = value.get<std::string>();
    return plain;
}

std::optional<std::string> option_naming_another_host(const std::string& registry_url,
                                                      const std::map<std::string, std::string>& plugin_options) {
    const std::string host = util::ascii_lower(sdk::parse_url(registry_url).host);
    for (const auto& [name, value] : plugin_options) {
        if (value.find("://") == std::string::npos) continue;
        const std::string named = util::ascii_lower(sdk::parse_url(value).host);
        const bool under = named.size() > host.size() + 1 && named.ends_with("." + host);
        if (host.empty() || (named != host && !under)) return name;
    }
    return std::nullopt;
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
