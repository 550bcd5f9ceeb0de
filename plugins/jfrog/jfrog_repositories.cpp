#include "jfrog_repositories.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "regscan/error.hpp"
#include "regscan/json_fields.hpp"

namespace regscan::jfrog {
namespace {

using nlohmann::json;

std::string lowercase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string why_skipped(const std::string& type) {
    if (type == "remote")
        return "a cache of another registry; walked with --jfrog-repository-type=remote or by key";
    if (type == "virtual")
        return "repeats its members' images under its own name; walked with --jfrog-repository-type=virtual or "
               "by key";
    return "type not walked (--jfrog-repository-type)";
}

std::string keys_of(const std::vector<ArtRepository>& repositories) {
    sdk::NameSample keys(named_repositories);
    for (const auto& repository : repositories) keys.add(repository.key);
    return keys.count() ? keys.str() : "none";
}

}  // namespace

std::string repositories_url(const std::string& api) { return api + "/api/repositories?packageType=docker"; }

std::vector<ArtRepository> parse_repository_list(const json& body, const std::string& url) {
    if (!body.is_array()) throw sdk::Error(REGSCAN_ERROR, "GET " + url + ": expected a JSON array of repositories");
    std::vector<ArtRepository> repositories;
    std::unordered_set<std::string> keys;  // a hostile list of 250,000 keys: no linear search per key
    for (const auto& entry : body) {
        if (!entry.is_object()) continue;
        auto key = sdk::json_string(entry, "key");
        // Asked for packageType=docker; an older Artifactory ignores the filter.
        auto package = lowercase(sdk::json_string(entry, "packageType"));
        if (!valid_repository_key(key) || (!package.empty() && package != "docker")) continue;
        if (!keys.insert(key).second) continue;
        repositories.push_back({key, lowercase(sdk::json_string(entry, "type"))});
    }
    return repositories;
}

Selection select_repositories(const std::vector<ArtRepository>& listed, const JfrogConfig& config) {
    Selection selection;
    auto find = [&](const std::string& key) {
        return std::find_if(listed.begin(), listed.end(), [&](const auto& r) { return r.key == key; });
    };
    if (!config.repositories.empty()) {
        for (const auto& key : config.repositories) {
            auto it = find(key);
            if (it == listed.end())
                throw sdk::Error(REGSCAN_BAD_ARGUMENT,
                                 "'" + key + "' is not a Docker repository this account can read on this "
                                 "Artifactory; it can read: " + keys_of(listed));
            selection.walk.push_back(*it);
        }
        return selection;
    }
    if (!config.url_key_guess.empty()) {
        if (auto it = find(config.url_key_guess); it != listed.end()) {
            selection.walk.push_back(*it);
            return selection;
        }
        selection.note = "'" + config.url_key_guess + "' in the URL is not a Docker repository key on this "
                         "Artifactory: walking every Docker repository of the types " +
                         [&] {
                             std::string types;
                             for (const auto& t : config.types) types += (types.empty() ? "" : ", ") + t;
                             return types;
                         }();
    }
    for (const auto& repository : listed) {
        if (config.types.count(repository.type))
            selection.walk.push_back(repository);
        else
            selection.skipped.add(repository.key + " (" + repository.type + "): " + why_skipped(repository.type));
    }
    return selection;
}

}  // namespace regscan::jfrog
