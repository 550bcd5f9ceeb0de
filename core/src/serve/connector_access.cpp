#include "serve/connector_access.hpp"

#include "log/secrets.hpp"
#include "serve/secret_options.hpp"

namespace regscan::serve {

ConnectorAccess connector_access(const state::ConnectorRecord& connector, const SecretBox& secrets) {
    const auto& c = connector.config;
    ConnectorAccess access;
    access.credentials.username = c.value("username", "");
    if (!connector.sealed_password.empty()) {
        access.credentials.password = secrets.open(connector.sealed_password);
        log::add_secret(access.credentials.password);
    }
    if (auto options = c.value("options", nlohmann::json::object()); options.is_object())
        for (const auto& [key, value] : options.items())
            if (value.is_string()) access.plugin_options[key] = value.get<std::string>();
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
