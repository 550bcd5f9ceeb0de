#include "jfrog_config.hpp"

#include <algorithm>
#include <cctype>

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::jfrog {
namespace {

std::string lowercase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

sdk::Error bad(const std::string& message) { return sdk::Error(REGSCAN_BAD_ARGUMENT, message); }

std::vector<std::string> path_segments(const std::string& url) {
    auto path = sdk::parse_url(url).path;
    path = path.substr(0, path.find_first_of("?#"));
    std::vector<std::string> segments;
    size_t start = 0;
    while (start < path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) segments.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

Access parse_access(const std::string& value) {
    const std::string name = lowercase(value);
    if (name.empty() || name == "repository-path" || name == "path") return Access::repository_path;
    if (name == "subdomain") return Access::subdomain;
    if (name == "port") return Access::port;
    if (name == "api") return Access::api;
    throw bad("--jfrog-docker-access must be repository-path, subdomain, port or api, not '" + value + "'");
}

std::string api_base(const std::string& value, const std::string& origin) {
    if (value.empty()) return origin + "/artifactory";
    auto scheme = lowercase(value.substr(0, value.find("://")));
    if (value.find("://") == std::string::npos || (scheme != "http" && scheme != "https"))
        throw bad("--jfrog-api must be an http:// or https:// URL, not '" + value + "'");
    std::string base = value.substr(0, value.find_first_of("?#"));
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

}  // namespace

const char* access_name(Access access) {
    switch (access) {
        case Access::subdomain: return "subdomain";
        case Access::port: return "port";
        case Access::api: return "api";
        default: return "repository-path";
    }
}

bool valid_repository_key(const std::string& key) {
    if (key.empty() || key.size() > 64 || key == "." || key == "..") return false;
    return std::all_of(key.begin(), key.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
}

std::pair<std::string, std::string> keys_in_url(const std::string& url) {
    auto segments = path_segments(url);
    if (segments.empty()) return {};
    if (segments[0] == "artifactory") {
        // /artifactory/api/docker/<key>[/v2/...]: the REST path of one repository.
        if (segments.size() >= 4 && segments[1] == "api" && segments[2] == "docker") return {segments[3], {}};
        // /artifactory/<key>[/...]: a repository's URL as /api/repositories gives it.
        if (segments.size() >= 2 && segments[1] != "api" && segments[1] != "webapp" && segments[1] != "ui" &&
            segments[1] != "v2")
            return {segments[1], {}};
        return {};
    }
    if (segments[0] == "v2" || segments[0] == "ui") return {};
    // https://<host>/docker: the form users know; "docker" may be a repository key.
    return {{}, segments[0]};
}

JfrogConfig jfrog_config(const sdk::SessionConfig& config) {
    JfrogConfig jfrog;
    auto url = sdk::parse_url(config.url);
    if (url.scheme != "https" && url.scheme != "http") throw bad("not an http(s) URL: " + config.url);
    jfrog.origin = url.origin();
    jfrog.api = api_base(config.option("jfrog-api"), jfrog.origin);
    jfrog.username = config.username;
    jfrog.secret = config.password;

    for (const auto& key : sdk::split_option_list(config.option("jfrog-repository"))) {
        if (!valid_repository_key(key))
            throw bad("--jfrog-repository '" + key + "' is not an Artifactory repository key (letters, digits, "
                      "'-', '_', '.')");
        jfrog.repositories.push_back(key);
    }
    auto [certain, guess] = keys_in_url(config.url);
    if (jfrog.repositories.empty() && !certain.empty()) {
        if (!valid_repository_key(certain))
            throw bad("the URL names '" + certain + "', which is not an Artifactory repository key");
        jfrog.repositories.push_back(certain);
    }
    if (jfrog.repositories.empty() && valid_repository_key(guess)) jfrog.url_key_guess = guess;

    auto types = sdk::split_option_list(lowercase(config.option("jfrog-repository-type", "local,federated")));
    for (const auto& type : types) {
        if (type != "local" && type != "federated" && type != "remote" && type != "virtual")
            throw bad("--jfrog-repository-type must be local, federated, remote or virtual, not '" + type + "'");
        jfrog.types.insert(type);
    }

    jfrog.access = parse_access(config.option("jfrog-docker-access"));
    for (const auto& pair : sdk::split_option_list(config.option("jfrog-repository-port"))) {
        auto eq = pair.find('=');
        std::string key = eq == std::string::npos ? std::string{} : pair.substr(0, eq);
        std::string port = eq == std::string::npos ? std::string{} : pair.substr(eq + 1);
        bool numeric = !port.empty() && port.size() <= 5 &&
                       std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
        if (!valid_repository_key(key) || !numeric || std::stol(port) < 1 || std::stol(port) > 65535)
            throw bad("--jfrog-repository-port takes KEY=PORT (e.g. docker-local=5001), not '" + pair + "'");
        jfrog.ports[key] = std::to_string(std::stol(port));
    }
    if (!jfrog.ports.empty() && jfrog.access != Access::port)
        throw bad("--jfrog-repository-port needs --jfrog-docker-access=port");
    return jfrog;
}

}  // namespace regscan::jfrog
