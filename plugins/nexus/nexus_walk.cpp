#include "nexus_walk.hpp"

#include <algorithm>
#include <set>

#include "regscan/error.hpp"
#include "regscan/text.hpp"
#include "regscan/url.hpp"

namespace regscan::nexus {
namespace {

// A listing of thousands of groups (or group members) must not make a log
// line (or a name) of each: the first few are named, the rest counted.
constexpr size_t named_at_most = 10;
// A skipped repository's log line: its name (200 bytes at most), its kind and
// ten capped member names fit; a remote URL of megabytes does not.
constexpr size_t skipped_line_bytes = 2048;

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string join_first(const std::vector<std::string>& items) {
    sdk::NameSample sample(named_at_most);
    for (const auto& item : items) sample.add(item);
    return sample.str();
}

const RepositorySettings* find(const std::map<std::string, RepositorySettings>& settings, const std::string& name) {
    auto it = settings.find(name);
    return it == settings.end() ? nullptr : &it->second;
}

std::string kind(const NexusRepository& repository, const RepositorySettings* settings) {
    std::string remote = settings && !settings->remote.empty() ? settings->remote : repository.remote;
    if (repository.type == "proxy") return "proxy" + (remote.empty() ? std::string{} : " of " + remote);
    return repository.type.empty() ? std::string("unknown type") : repository.type;
}

std::string members_of(const RepositorySettings* settings) {
    if (!settings || settings->members.empty()) return "its members (unknown without repositorySettings)";
    return "its members " + join_first(settings->members);
}

}  // namespace

Walk plan_walk(const std::vector<NexusRepository>& repositories,
               const std::map<std::string, RepositorySettings>& settings, const std::vector<std::string>& named) {
    Walk walk;
    std::map<std::string, const NexusRepository*> by_name;
    for (const auto& repository : repositories) by_name.emplace(repository.name, &repository);

    if (!named.empty()) {
        std::vector<std::string> problems;
        for (const auto& name : named) {
            auto it = by_name.find(name);
            if (it == by_name.end()) {
                problems.push_back("'" + name + "' not found (or this account cannot browse it)");
                continue;
            }
            const auto& repository = *it->second;
            if (repository.format != "docker") {
                problems.push_back("'" + name + "' is a " + repository.format + " repository, not docker");
                continue;
            }
            const auto* s = find(settings, name);
            std::string why = kind(repository, s) + ": named by --nexus-repository";
            if (repository.type == "group")
                why += "; walked as its clients see it, so it repeats the images of " + members_of(s);
            else if (repository.type == "proxy")
                why += "; a cache: only the images pulled through it so far are listed";
            walk.targets.push_back({name, repository.type, why});
        }
        if (!problems.empty()) throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--nexus-repository: " + join(problems));
        return walk;
    }

    size_t other_formats = 0;
    size_t bad_names = 0;
    sdk::NameSample skipped(named_at_most, skipped_line_bytes);
    std::set<std::string> seen;
    for (const auto& repository : repositories) {
        // Its name goes into request paths and image names: Nexus's own rule, or it is not one of Nexus's.
        if (!valid_repository_name(repository.name)) {
            ++bad_names;
            continue;
        }
        if (repository.format != "docker") {
            ++other_formats;
            continue;
        }
        if (!seen.insert(repository.name).second) continue;  // listed twice: walked once
        const auto* s = find(settings, repository.name);
        const std::string what = "Nexus repository " + repository.name + " (" + kind(repository, s) + ")";
        if (s && !s->online) {
            skipped.add(what + ": skipped, it is offline");
        } else if (repository.type == "hosted") {
            walk.targets.push_back({repository.name, repository.type, kind(repository, s) + ": its own images"});
        } else if (repository.type == "proxy") {
            walk.targets.push_back({repository.name, repository.type,
                                    kind(repository, s) +
                                        ": a cache, so only the images pulled through it so far are listed "
                                        "(the images in use), not the remote's whole content"});
        } else if (repository.type == "group") {
            skipped.add(what + ": skipped, a group serves the images of " + members_of(s) +
                        ", which are walked on their own; name it with --nexus-repository to walk it as its "
                        "clients see it");
        } else {
            skipped.add(what + ": skipped, an unknown repository type");
        }
    }
    walk.skipped = skipped.named();
    if (skipped.unnamed() > 0)
        walk.skipped.push_back(std::to_string(skipped.unnamed()) +
                               " more Nexus repositories skipped (groups, offline or of an unknown type)");
    if (other_formats > 0)
        walk.skipped.push_back(std::to_string(other_formats) + " Nexus " +
                               (other_formats == 1 ? "repository" : "repositories") +
                               " of other formats than docker: skipped");
    if (bad_names > 0)
        walk.skipped.push_back(std::to_string(bad_names) + " Nexus " +
                               (bad_names == 1 ? "repository" : "repositories") +
                               " listed with a name Nexus does not give (letters, digits, '-', '_', '.', at most "
                               "200 characters): skipped");
    return walk;
}

PullPlace pull_place(const NexusConfig& config, const std::string& repository, const RepositorySettings* settings) {
    const sdk::Url server = sdk::parse_url(config.base);
    if (config.pull != PullRoute::path && settings) {
        std::optional<int> port;
        std::string scheme;
        if (settings->https_port) {
            port = settings->https_port;
            scheme = "https";
        } else if (settings->http_port && server.scheme == "http") {
            port = settings->http_port;
            scheme = "http";
        }
        if (port) {
            std::string authority = server.host + ":" + std::to_string(*port);
            return {scheme + "://" + authority, authority,
                    "connector port " + std::to_string(*port) + " (" + scheme + "://" + authority + "/v2/)"};
        }
        if (settings->http_port && config.pull == PullRoute::connector)
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "Nexus repository " + repository +
                                                       " has only an HTTP connector, and the server URL is https: "
                                                       "credentials are not sent over plain HTTP");
    }
    if (config.pull == PullRoute::connector)
        throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--nexus-pull=connector: Nexus repository " + repository +
                                                   (settings ? " has no connector port"
                                                             : " has no known connector port (repositorySettings "
                                                               "needs an administrator)"));
    std::string base = config.base + "/repository/" + sdk::url_encode(repository);
    return {base, {}, "path-based " + base + "/v2/"};
}

}  // namespace regscan::nexus
