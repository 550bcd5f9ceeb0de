#include "jfrog_pull.hpp"

#include <cctype>

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::jfrog {

sdk::Repository pull_repository(const JfrogConfig& config, const std::string& key, const std::string& image) {
    sdk::Repository repository;
    repository.name = key + "/" + image;
    repository.plugin_data = {{"key", key}, {"image", image}};
    auto origin = sdk::parse_url(config.origin);
    switch (config.access) {
        case Access::repository_path:
            // The URL may carry a path (https://<host>/docker): /v2/ is at the origin.
            repository.pull_base = config.origin;
            repository.pull_name = repository.name;
            break;
        case Access::subdomain: {
            std::string host = key;
            for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            host += "." + origin.host + (origin.port.empty() ? "" : ":" + origin.port);
            repository.pull_base = origin.scheme + "://" + host;
            repository.pull_name = image;
            repository.reference = host + "/" + image;
            break;
        }
        case Access::port: {
            auto port = config.ports.find(key);
            if (port != config.ports.end()) {
                std::string host = origin.host + ":" + port->second;
                repository.pull_base = origin.scheme + "://" + host;
                repository.pull_name = image;
                repository.reference = host + "/" + image;
                break;
            }
            // No port known for it: the REST path serves every repository.
            [[fallthrough]];
        }
        case Access::api:
            repository.pull_base = config.api + "/api/docker/" + sdk::url_encode(key);
            repository.pull_name = image;
            break;
    }
    return repository;
}

std::pair<std::string, std::string> key_and_image(const sdk::Repository& repository) {
    const auto& data = repository.plugin_data;
    if (data.is_object() && data.contains("key") && data["key"].is_string() && data.contains("image") &&
        data["image"].is_string()) {
        auto key = data["key"].get<std::string>();
        if (!valid_repository_key(key)) throw sdk::Error(REGSCAN_ERROR, "'" + key + "' is not a repository key");
        return {key, data["image"].get<std::string>()};
    }
    // An older core drops plugin_data: the name is "<repoKey>/<image>".
    auto slash = repository.name.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == repository.name.size())
        throw sdk::Error(REGSCAN_ERROR, "'" + repository.name + "' is not <repository key>/<image>");
    return {repository.name.substr(0, slash), repository.name.substr(slash + 1)};
}

}  // namespace regscan::jfrog
