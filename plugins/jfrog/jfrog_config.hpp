// The options of a JFrog Artifactory run, checked once: where the REST API
// is, which repositories to walk, how Docker clients reach each repository.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "regscan/registry.hpp"

namespace regscan::jfrog {

// How Docker clients address a repository (Artifactory's "Docker access method").
enum class Access {
    repository_path,  // https://<host>/v2/<repoKey>/<image>  (Artifactory 7, JFrog Cloud)
    subdomain,        // https://<repoKey>.<host>/v2/<image>
    port,             // https://<host>:<port>/v2/<image>, one port per repository
    api,              // https://<host>/artifactory/api/docker/<repoKey>/v2/<image>
};

struct JfrogConfig {
    std::string origin;  // scheme://host[:port] of the URL
    std::string api;     // REST API base, "<origin>/artifactory" unless --jfrog-api
    // Repository keys to walk whatever their type (--jfrog-repository, or a
    // key the URL names for certain); empty: choose by type.
    std::vector<std::string> repositories;
    // The URL's first path segment when it may be a repository key
    // (https://<host>/docker): walked alone if it is one, ignored if not.
    std::string url_key_guess;
    std::set<std::string> types;  // lowercase: local, federated, remote, virtual
    Access access = Access::repository_path;
    std::map<std::string, std::string> ports;  // repoKey -> port (port access method)
    std::string username;
    std::string secret;  // password, API key or access token

    [[nodiscard]] bool token_only() const { return username.empty() && !secret.empty(); }
};

// Artifactory repository keys: letters, digits, '-', '_', '.', at most 64.
bool valid_repository_key(const std::string& key);

// What the URL's path says: {certain key or "", guessed key or ""}.
std::pair<std::string, std::string> keys_in_url(const std::string& url);

JfrogConfig jfrog_config(const sdk::SessionConfig& config);

const char* access_name(Access access);

}  // namespace regscan::jfrog
