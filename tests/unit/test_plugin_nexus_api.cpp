#include <doctest/doctest.h>

#include "nexus_api.hpp"
#include "nexus_config.hpp"
#include "regscan/error.hpp"

using namespace regscan::nexus;
using nlohmann::json;

namespace {
const std::string url = "https://nexus.test/service/rest/v1/x";
const std::string sha = "d1b8f6786e34c4d286fea35f252668da32afe093e637ccbb39547e1facac97eb";

// The docker component Nexus answers (sonatype/nexus-public#253).
json component(const std::string& name, const std::string& version, const std::string& path) {
    return {{"id", "b21u"}, {"repository", "some-docker"}, {"format", "docker"}, {"group", ""}, {"name", name},
            {"version", version},
            {"assets", json::array({{{"downloadUrl", "https://nexus.test/repository/some-docker" + path},
                                     {"path", path},
                                     {"checksum", {{"sha1", "8c9707006b72ea0f8559aa6833b84860c7efd7e9"}, {"sha256", sha}}},
                                     {"contentType", "application/vnd.docker.distribution.manifest.v2+json"},
                                     {"lastModified", "2022-08-29T07:11:42.914+00:00"},
                                     {"lastDownloaded", nullptr},
                                     {"docker", json::object()}}})},
            {"tags", json::array()}};
}
}  // namespace

TEST_SUITE_BEGIN("nexus");

TEST_CASE("nexus::parse_repositories reads name, format, type and a proxy's remote") {
    auto body = json::array({{{"name", "docker-proxy"}, {"format", "docker"}, {"type", "proxy"},
                              {"url", "x"}, {"attributes", {{"proxy", {{"remoteUrl", "https://registry-1.docker.io"}}}}}},
                             {{"name", "maven"}, {"format", "maven2"}, {"type", "hosted"}, {"attributes", json::object()}},
                             {{"format", "docker"}},  // no name: dropped
                             42});
    auto repositories = parse_repositories(body, url);
    REQUIRE(repositories.size() == 2);
    CHECK(repositories[0].name == "docker-proxy");
    CHECK(repositories[0].type == "proxy");
    CHECK(repositories[0].remote == "https://registry-1.docker.io");
    CHECK(repositories[1].format == "maven2");
    CHECK_THROWS_AS(parse_repositories(json::object(), url), regscan::sdk::Error);
}

TEST_CASE("nexus::parse_settings keeps valid connector ports, members and online") {
    auto body = json::array(
        {{{"name", "g"}, {"online", false}, {"docker", {{"httpPort", 8082}, {"httpsPort", nullptr}}},
          {"group", {{"memberNames", {"a", "b"}}}}},
         {{"name", "h"}, {"docker", {{"httpPort", 70000}, {"httpsPort", 8443}}}},
         {{"name", "f"}, {"docker", {{"httpPort", 1e104}, {"httpsPort", "8443"}}}}});
    auto settings = parse_settings(body, url);
    CHECK_FALSE(settings.at("g").online);
    CHECK(settings.at("g").http_port == 8082);
    CHECK_FALSE(settings.at("g").https_port);
    CHECK(settings.at("g").members == std::vector<std::string>{"a", "b"});
    CHECK_FALSE(settings.at("h").http_port);  // out of range
    CHECK(settings.at("h").https_port == 8443);
    CHECK_FALSE(settings.at("f").http_port);
    CHECK_FALSE(settings.at("f").https_port);
}

TEST_CASE("nexus::parse_components takes the tag from version and the digest from the manifest asset") {
    auto body = json{{"items", {component("some-service", "1.0.0", "/v2/some-service/manifests/1.0.0"),
                                component("old/path", "2", "v2/old/path/manifests/2")}},
                     {"continuationToken", nullptr}};
    auto components = parse_components(body, url);
    REQUIRE(components.size() == 2);
    CHECK(components[0].name == "some-service");
    CHECK(components[0].version == "1.0.0");
    CHECK(components[0].digest == "sha256:" + sha);
    CHECK(components[0].media_type == "application/vnd.docker.distribution.manifest.v2+json");
    CHECK(components[0].last_modified == "2022-08-29T07:11:42.914+00:00");
    CHECK(components[1].digest == "sha256:" + sha);  // a path without its leading "/"
}

TEST_CASE("nexus::parse_components leaves a malformed checksum or a foreign asset out of the digest") {
    auto bad = component("app", "1", "/v2/app/manifests/1");
    bad["assets"][0]["checksum"]["sha256"] = "D1B8" + sha.substr(4);
    auto other = component("app", "2", "/v2/app/blobs/sha256:abc");
    auto maven = component("lib", "1", "/v2/lib/manifests/1");
    maven["format"] = "maven2";
    auto components = parse_components(json{{"items", {bad, other, maven}}}, url);
    REQUIRE(components.size() == 2);
    CHECK(components[0].digest.empty());
    CHECK(components[1].digest.empty());
    CHECK(components[1].media_type.empty());
    CHECK(parse_components(json{{"items", nullptr}}, url).empty());
    CHECK_THROWS_AS(parse_components(json{{"items", "x"}}, url), regscan::sdk::Error);
    CHECK_THROWS_AS(parse_components(json::array(), url), regscan::sdk::Error);
}

TEST_CASE("nexus::nexus_config splits repositories and refuses what Nexus cannot name") {
    CHECK(split_repositories(" a, b,,a ") == std::vector<std::string>{"a", "b"});
    CHECK_THROWS_AS(split_repositories("ok,../x"), regscan::sdk::Error);
    CHECK_THROWS_AS(split_repositories("_x"), regscan::sdk::Error);
    CHECK(parse_pull_route("") == PullRoute::automatic);
    CHECK(parse_pull_route("path") == PullRoute::path);
    CHECK_THROWS_AS(parse_pull_route("subdomain"), regscan::sdk::Error);

    regscan::sdk::SessionConfig config;
    config.url = "https://nexus.test/nexus/";
    config.options["nexus-repository"] = "docker-hosted";
    auto nexus = nexus_config(config);
    CHECK(nexus.base == "https://nexus.test/nexus");
    CHECK(nexus.repositories == std::vector<std::string>{"docker-hosted"});
    CHECK(nexus.anonymous());
    config.password = "pass-code";
    CHECK_THROWS_AS(nexus_config(config), regscan::sdk::Error);
}

TEST_SUITE_END();
