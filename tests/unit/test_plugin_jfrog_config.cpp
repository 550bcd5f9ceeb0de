#include <doctest/doctest.h>

#include "jfrog_config.hpp"
#include "jfrog_pull.hpp"
#include "regscan/error.hpp"

using namespace regscan::jfrog;
using regscan::sdk::SessionConfig;

namespace {

SessionConfig config_of(const std::string& url, std::map<std::string, std::string> options = {}) {
    SessionConfig config;
    config.url = url;
    config.type = "JFROG";
    config.username = "reader";
    config.password = "secret";
    config.options = std::move(options);
    return config;
}

regscan_status status_of(const SessionConfig& config) {
    try {
        (void)jfrog_config(config);
    } catch (const regscan::sdk::Error& e) {
        return e.status();
    }
    return REGSCAN_OK;
}

}  // namespace

TEST_SUITE_BEGIN("jfrog");

TEST_CASE("jfrog::keys_in_url reads the URL forms users know") {
    using Keys = std::pair<std::string, std::string>;
    CHECK(keys_in_url("https://acme.jfrog.io") == Keys{});
    CHECK(keys_in_url("https://acme.jfrog.io/") == Keys{});
    CHECK(keys_in_url("https://art.corp/artifactory") == Keys{});
    CHECK(keys_in_url("https://art.corp/artifactory/") == Keys{});
    CHECK(keys_in_url("https://art.corp/artifactory/api/docker/docker-local") == Keys{"docker-local", ""});
    CHECK(keys_in_url("https://art.corp/artifactory/api/docker/docker-local/v2/") == Keys{"docker-local", ""});
    CHECK(keys_in_url("https://art.corp/artifactory/docker-prod") == Keys{"docker-prod", ""});
    CHECK(keys_in_url("https://art.corp/artifactory/api/repositories") == Keys{});
    CHECK(keys_in_url("https://art.corp/docker") == Keys{"", "docker"});
    CHECK(keys_in_url("https://art.corp/docker/?x=1") == Keys{"", "docker"});
    CHECK(keys_in_url("https://art.corp/v2/") == Keys{});
}

TEST_CASE("jfrog::jfrog_config derives the API base and the repositories to walk") {
    auto config = jfrog_config(config_of("https://art.corp:8443/docker"));
    CHECK(config.origin == "https://art.corp:8443");
    CHECK(config.api == "https://art.corp:8443/artifactory");
    CHECK(config.repositories.empty());
    CHECK(config.url_key_guess == "docker");
    CHECK(config.types == std::set<std::string>{"local", "federated"});
    CHECK(config.access == Access::repository_path);

    config = jfrog_config(config_of("https://art.corp/artifactory/api/docker/docker-prod/v2/",
                                    {{"jfrog-api", "https://api.art.corp/context/"}}));
    CHECK(config.api == "https://api.art.corp/context");
    CHECK(config.repositories == std::vector<std::string>{"docker-prod"});

    // --jfrog-repository (repeated flags arrive comma-joined) wins over the URL.
    config = jfrog_config(config_of("https://art.corp/artifactory/docker-prod",
                                    {{"jfrog-repository", "a, b,a"}, {"jfrog-repository-type", "Remote,virtual"}}));
    CHECK(config.repositories == std::vector<std::string>{"a", "b"});
    CHECK(config.types == std::set<std::string>{"remote", "virtual"});
}

TEST_CASE("jfrog::jfrog_config refuses malformed options as bad arguments") {
    CHECK(status_of(config_of("https://a", {{"jfrog-repository", "../etc"}})) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of(config_of("https://a", {{"jfrog-repository-type", "generic"}})) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of(config_of("https://a", {{"jfrog-docker-access", "carrier-pigeon"}})) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of(config_of("https://a", {{"jfrog-api", "ftp://x"}})) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of(config_of("https://a", {{"jfrog-docker-access", "port"}, {"jfrog-repository-port", "k=0"}})) ==
          REGSCAN_BAD_ARGUMENT);
    CHECK(status_of(config_of("https://a", {{"jfrog-docker-access", "port"}, {"jfrog-repository-port", "k"}})) ==
          REGSCAN_BAD_ARGUMENT);
    CHECK(status_of(config_of("https://a", {{"jfrog-repository-port", "k=5001"}})) == REGSCAN_BAD_ARGUMENT);
    CHECK(status_of(config_of("https://a", {{"jfrog-docker-access", "port"}, {"jfrog-repository-port", "k=5001"}})) ==
          REGSCAN_OK);
}

TEST_CASE("jfrog::valid_repository_key keeps keys out of paths they could escape") {
    CHECK(valid_repository_key("docker-local"));
    CHECK(valid_repository_key("Docker_Prod.2"));
    CHECK_FALSE(valid_repository_key(""));
    CHECK_FALSE(valid_repository_key(".."));
    CHECK_FALSE(valid_repository_key("a/b"));
    CHECK_FALSE(valid_repository_key("a%2Fb"));
    CHECK_FALSE(valid_repository_key(std::string(65, 'a')));
}

TEST_CASE("jfrog::pull_repository names where each access method serves the images") {
    auto config = jfrog_config(config_of("https://art.corp:8443/docker"));
    auto path = pull_repository(config, "docker-local", "team/app");
    CHECK(path.name == "docker-local/team/app");
    CHECK(path.pull_base == "https://art.corp:8443");
    CHECK(path.pull_name == "docker-local/team/app");
    CHECK(path.reference.empty());
    CHECK(key_and_image(path) == std::pair<std::string, std::string>{"docker-local", "team/app"});

    config.access = Access::subdomain;
    auto sub = pull_repository(config, "Docker-Local", "team/app");
    CHECK(sub.pull_base == "https://docker-local.art.corp:8443");
    CHECK(sub.pull_name == "team/app");
    CHECK(sub.reference == "docker-local.art.corp:8443/team/app");

    config.access = Access::port;
    config.ports = {{"docker-local", "5001"}};
    auto port = pull_repository(config, "docker-local", "team/app");
    CHECK(port.pull_base == "https://art.corp:5001");
    CHECK(port.reference == "art.corp:5001/team/app");
    // A repository without a port is read through the REST path.
    auto fallback = pull_repository(config, "docker-prod", "web");
    CHECK(fallback.pull_base == "https://art.corp:8443/artifactory/api/docker/docker-prod");
    CHECK(fallback.pull_name == "web");

    config.access = Access::api;
    CHECK(pull_repository(config, "docker-local", "a").pull_base ==
          "https://art.corp:8443/artifactory/api/docker/docker-local");
}

TEST_CASE("jfrog::key_and_image falls back to the name and refuses what is not key/image") {
    regscan::sdk::Repository repository;
    repository.name = "docker-local/team/app";
    CHECK(key_and_image(repository) == std::pair<std::string, std::string>{"docker-local", "team/app"});
    repository.name = "nokey";
    CHECK_THROWS_AS(key_and_image(repository), regscan::sdk::Error);
    repository.plugin_data = {{"key", "../x"}, {"image", "a"}};
    CHECK_THROWS_AS(key_and_image(repository), regscan::sdk::Error);
}

TEST_SUITE_END();
