#include "auth/docker_config.hpp"

#include <fstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "log/secrets.hpp"
#include "regscan/base64.hpp"
#include "regscan/url.hpp"
#include "util/text.hpp"

namespace regscan::auth {
namespace {

constexpr const char* docker_hub_key = "https://index.docker.io/v1/";
// docker's config.json is a few KiB; anything past this is not one.
constexpr size_t max_config_size = 4 * 1024 * 1024;

bool is_docker_hub(const std::string& hostname) {
    return hostname == "docker.io" || hostname == "index.docker.io" || hostname == "registry-1.docker.io";
}

std::string env_value(const std::map<std::string, std::string>& env, const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
}

// The key of `object` (auths or credHelpers) for `server_key`: the exact key,
// else the first whose host[:port] is the registry's (Docker Hub's aliases
// count as one).
const nlohmann::json* entry_for(const nlohmann::json& object, const std::string& server_key, std::string& key_found) {
    if (!object.is_object()) return nullptr;
    if (auto it = object.find(server_key); it != object.end()) {
        key_found = server_key;
        return &*it;
    }
    const std::string wanted = docker_key_hostname(server_key);
    for (auto it = object.begin(); it != object.end(); ++it) {
        std::string hostname = docker_key_hostname(it.key());
        if (hostname == wanted || (is_docker_hub(wanted) && is_docker_hub(hostname))) {
            key_found = it.key();
            return &*it;
        }
    }
    return nullptr;
}

// The member `name` of `config`, or an empty object: entry_for() keeps
// pointers into it, so never a temporary.
const nlohmann::json& member(const nlohmann::json& config, const char* name) {
    static const nlohmann::json none = nlohmann::json::object();
    auto it = config.find(name);
    return it == config.end() ? none : *it;
}

std::string string_field(const nlohmann::json& object, const char* name) {
    if (!object.is_object()) return {};
    auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<nlohmann::json> read_config(const std::filesystem::path& file) {
    std::error_code error;
    if (!std::filesystem::exists(file, error)) return std::nullopt;
    // Names go to the log as they are: its sink escapes control characters.
    const std::string shown = file.string();
    if (!std::filesystem::is_regular_file(file, error)) {
        spdlog::warn("docker config {} is not a regular file: not read", shown);
        return std::nullopt;
    }
    std::ifstream stream(file, std::ios::binary);
    std::string text;
    char buffer[65536];
    while (stream && text.size() <= max_config_size) {
        stream.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<size_t>(stream.gcount()));
    }
    if (!stream.eof() && !stream) {
        spdlog::warn("docker config {} cannot be read: not used", shown);
        return std::nullopt;
    }
    if (text.size() > max_config_size) {
        spdlog::warn("docker config {} is larger than {} bytes: not used", shown, max_config_size);
        return std::nullopt;
    }
    try {
        auto config = nlohmann::json::parse(text);
        if (!config.is_object()) throw std::runtime_error("not an object");
        return config;
    } catch (const std::exception&) {
        spdlog::warn("docker config {} is not a JSON object: not used", shown);
        return std::nullopt;
    }
}

std::optional<Credentials> from_helper(const std::string& helper, const char* kind, const std::string& server_key,
                                       const std::string& shown_file,
                                       const std::map<std::string, std::string>& env,
                                       const HelperOptions& options) {
    const std::string shown_helper = helper;
    if (!valid_helper_name(helper)) {
        spdlog::warn("docker config {}: {} names '{}', not a credential helper name: not used", shown_file, kind,
                     shown_helper);
        return std::nullopt;
    }
    std::string program = find_credential_helper(helper, env_value(env, "PATH"));
    if (program.empty()) {
        spdlog::warn("docker config {}: {} names docker-credential-{}, which is not on PATH: not used", shown_file,
                     kind, shown_helper);
        return std::nullopt;
    }
    auto answer = run_credential_helper(program, server_key, env, options);
    switch (answer.status) {
        case HelperAnswer::Status::not_found:
            spdlog::debug("docker-credential-{} has no credentials for {}", shown_helper, server_key);
            return std::nullopt;
        case HelperAnswer::Status::failed:
            spdlog::warn("docker-credential-{} ({} in docker config {}) failed for {}: {}", shown_helper, kind,
                         shown_file, server_key, answer.error);
            return std::nullopt;
        case HelperAnswer::Status::found: break;
    }
    Credentials credentials;
    credentials.source = "docker config " + shown_file + " (" + kind + ": " + shown_helper + ")";
    if (answer.username == "<token>") {
        // docker's convention: the secret is an identity (OAuth2 refresh) token.
        credentials.identity_token = answer.secret;
        log::add_secret(credentials.identity_token);
        return credentials;
    }
    credentials.username = answer.username;
    credentials.password = answer.secret;
    return credentials;
}

std::optional<Credentials> from_auths(const nlohmann::json& config, const std::string& server_key,
                                      const std::string& shown_file) {
    std::string key;
    const auto* entry = entry_for(member(config, "auths"), server_key, key);
    if (!entry || !entry->is_object()) return std::nullopt;
    const std::string shown_key = key;
    Credentials credentials;
    std::string encoded = string_field(*entry, "auth");
    if (!encoded.empty()) {
        log::add_secret(encoded);
        auto decoded = sdk::base64_decode(encoded);
        auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (!decoded || colon == std::string::npos) {
            spdlog::warn("docker config {}: auths entry {} has an 'auth' that is not base64 of user:password: not used",
                         shown_file, shown_key);
            return std::nullopt;
        }
        credentials.username = decoded->substr(0, colon);
        credentials.password = decoded->substr(colon + 1);
    } else {
        credentials.username = string_field(*entry, "username");
        credentials.password = string_field(*entry, "password");
    }
    log::add_secret(credentials.password);
    // docker login keeps the user beside an identity token (an empty password
    // in `auth`); the token is what the registry's token service takes.
    credentials.identity_token = string_field(*entry, "identitytoken");
    log::add_secret(credentials.identity_token);
    if (!credentials.identity_token.empty()) credentials.password.clear();
    if (credentials.empty()) return std::nullopt;
    credentials.source = "docker config " + shown_file + " (auths: " + shown_key + ")";
    return credentials;
}

}  // namespace

std::string docker_key_hostname(const std::string& key) {
    std::string rest = key;
    if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
    else if (rest.rfind("https://", 0) == 0) rest = rest.substr(8);
    return util::ascii_lower(rest.substr(0, rest.find('/')));
}

std::string docker_server_key(const std::string& registry_url) {
    auto authority = sdk::parse_url(registry_url).authority();
    return is_docker_hub(docker_key_hostname(authority)) ? docker_hub_key : authority;
}

std::filesystem::path docker_config_file(const std::map<std::string, std::string>& env) {
    if (auto directory = env_value(env, "DOCKER_CONFIG"); !directory.empty())
        return std::filesystem::path(directory) / "config.json";
    if (auto home = env_value(env, "HOME"); !home.empty()) return std::filesystem::path(home) / ".docker" / "config.json";
    return {};
}

std::optional<Credentials> docker_credentials(const std::string& registry_url,
                                              const std::map<std::string, std::string>& env,
                                              const HelperOptions& helper_options) {
    const auto file = docker_config_file(env);
    if (file.empty()) return std::nullopt;
    auto config = read_config(file);
    if (!config) return std::nullopt;
    const std::string shown_file = file.string();
    const std::string server_key = docker_server_key(registry_url);

    std::string key;
    const auto* helper = entry_for(member(*config, "credHelpers"), server_key, key);
    std::optional<Credentials> found;
    if (helper && helper->is_string() && !helper->get<std::string>().empty()) {
        found = from_helper(helper->get<std::string>(), "credHelpers", server_key, shown_file, env, helper_options);
    } else if (auto store = string_field(*config, "credsStore"); !store.empty()) {
        found = from_helper(store, "credsStore", server_key, shown_file, env, helper_options);
    }
    // docker keeps nothing but the server's name in auths when a helper holds
    // the credentials; a plain entry there is still used when the helper has none.
    if (!found) found = from_auths(*config, server_key, shown_file);
    if (found) {
        log::add_secret(found->password);
        log::add_secret(found->identity_token);
        log::add_secret(sdk::url_encode(found->identity_token));  // as it goes in the OAuth2 form
        log::add_secret(found->authorization());
        if (!found->username.empty() || !found->password.empty())
            log::add_secret(sdk::base64_encode(found->username + ":" + found->password));
        spdlog::debug("Using {} from {} for {}", found->identity_token.empty() ? "credentials" : "an identity token",
                      found->source, server_key);
    }
    return found;
}

bool docker_credentials_unless_given(Credentials& credentials, const std::string& registry_url,
                                     const std::map<std::string, std::string>& environment) {
    if (!credentials.empty()) return false;
    auto docker = docker_credentials(registry_url, environment);
    if (!docker) return false;
    credentials = std::move(*docker);
    return true;
}

}  // namespace regscan::auth
