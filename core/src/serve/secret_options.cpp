#include "serve/secret_options.hpp"

#include "log/secrets.hpp"

namespace regscan::serve {

using nlohmann::json;

void seal_secret_options(json& config, const std::set<std::string>& names, const SecretBox& box) {
    json sealed = config.contains("sealed_options") && config["sealed_options"].is_object() ? config["sealed_options"]
                                                                                             : json::object();
    if (config.contains("options") && config["options"].is_object()) {
        auto& options = config["options"];
        for (const auto& name : names) {
            if (!options.contains(name) || !options[name].is_string()) continue;
            const auto value = options[name].get<std::string>();
            options.erase(name);
            if (value.empty()) {
                sealed.erase(name);
                continue;
            }
            log::add_secret(value);
            sealed[name] = box.seal(value);
        }
    }
    if (sealed.empty())
        config.erase("sealed_options");
    else
        config["sealed_options"] = sealed;
}

void hide_secret_options(json& config, const std::set<std::string>& names) {
    std::set<std::string> stored;
    if (config.contains("sealed_options") && config["sealed_options"].is_object())
        for (const auto& [name, _] : config["sealed_options"].items()) stored.insert(name);
    config.erase("sealed_options");
    if (config.contains("options") && config["options"].is_object())
        for (const auto& name : names)
            if (config["options"].contains(name)) {
                config["options"].erase(name);
                stored.insert(name);
            }
    config["secret_options"] = stored;
}

std::map<std::string, std::string> open_secret_options(const json& config, const SecretBox& box) {
    std::map<std::string, std::string> opened;
    if (!config.contains("sealed_options") || !config["sealed_options"].is_object()) return opened;
    for (const auto& [name, sealed] : config["sealed_options"].items()) {
        if (!sealed.is_string()) continue;
        auto value = box.open(sealed.get<std::string>());
        log::add_secret(value);
        opened[name] = std::move(value);
    }
    return opened;
}

bool gives_secrets_again(const json& body, bool password_stored, const json& config) {
    if (password_stored && !body.contains("password")) return false;
    if (!config.contains("sealed_options") || !config["sealed_options"].is_object()) return true;
    const bool has_options = body.contains("options") && body["options"].is_object();
    for (const auto& [name, _] : config["sealed_options"].items())
        if (!has_options || !body["options"].contains(name)) return false;
    return true;
}

}  // namespace regscan::serve
