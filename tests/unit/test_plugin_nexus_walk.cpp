#include <doctest/doctest.h>

#include "nexus_components.hpp"
#include "nexus_walk.hpp"
#include "regscan/error.hpp"

using namespace regscan::nexus;

namespace {

std::vector<NexusRepository> listed() {
    return {{"docker-hosted", "docker", "hosted", {}},
            {"docker-proxy", "docker", "proxy", "https://registry-1.docker.io"},
            {"docker-group", "docker", "group", {}},
            {"docker-off", "docker", "hosted", {}},
            {"maven-releases", "maven2", "hosted", {}}};
}

std::map<std::string, RepositorySettings> settings() {
    std::map<std::string, RepositorySettings> s;
    s["docker-group"].members = {"docker-hosted", "docker-proxy"};
    s["docker-off"].online = false;
    return s;
}

std::vector<std::string> names(const Walk& walk) {
    std::vector<std::string> out;
    for (const auto& t : walk.targets) out.push_back(t.name);
    return out;
}

Component tagged(const std::string& name, const std::string& version, const std::string& pushed) {
    return {"r", name, version, "sha256:" + std::string(64, 'a'), "application/vnd.oci.image.manifest.v1+json", pushed};
}

}  // namespace

TEST_SUITE_BEGIN("nexus");

TEST_CASE("nexus::plan_walk walks hosted and proxy repositories and says why the others are skipped") {
    auto walk = plan_walk(listed(), settings(), {});
    CHECK(names(walk) == std::vector<std::string>{"docker-hosted", "docker-proxy"});
    CHECK(walk.targets[1].why.find("cache") != std::string::npos);
    CHECK(walk.targets[1].why.find("https://registry-1.docker.io") != std::string::npos);
    REQUIRE(walk.skipped.size() == 3);
    CHECK(walk.skipped[0].find("docker-group") != std::string::npos);
    CHECK(walk.skipped[0].find("docker-hosted, docker-proxy") != std::string::npos);
    CHECK(walk.skipped[1].find("offline") != std::string::npos);
    CHECK(walk.skipped[2].find("other formats") != std::string::npos);
}

TEST_CASE("nexus::plan_walk takes named repositories only, a group included, and names every bad one") {
    auto walk = plan_walk(listed(), settings(), {"docker-group", "docker-proxy"});
    CHECK(names(walk) == std::vector<std::string>{"docker-group", "docker-proxy"});
    CHECK(walk.targets[0].why.find("named by --nexus-repository") != std::string::npos);
    try {
        plan_walk(listed(), settings(), {"nope", "maven-releases", "docker-hosted"});
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_BAD_ARGUMENT);
        CHECK(std::string(e.what()).find("'nope' not found") != std::string::npos);
        CHECK(std::string(e.what()).find("'maven-releases' is a maven2 repository") != std::string::npos);
    }
}

TEST_CASE("nexus::pull_place prefers a connector without downgrading https, else the path-based route") {
    NexusConfig config;
    config.base = "https://nexus.test";
    RepositorySettings http_only;
    http_only.http_port = 8082;
    auto place = pull_place(config, "docker-hosted", &http_only);
    CHECK(place.base == "https://nexus.test/repository/docker-hosted");
    CHECK(place.authority.empty());

    RepositorySettings both = http_only;
    both.https_port = 8443;
    place = pull_place(config, "docker-hosted", &both);
    CHECK(place.base == "https://nexus.test:8443");
    CHECK(place.authority == "nexus.test:8443");

    config.base = "http://nexus.test:8081";
    place = pull_place(config, "docker-hosted", &http_only);
    CHECK(place.base == "http://nexus.test:8082");
    CHECK(pull_place(config, "docker-hosted", nullptr).base == "http://nexus.test:8081/repository/docker-hosted");

    config.pull = PullRoute::path;
    CHECK(pull_place(config, "docker-hosted", &both).authority.empty());
    config.pull = PullRoute::connector;
    CHECK_THROWS_AS(pull_place(config, "docker-hosted", nullptr), regscan::sdk::Error);
    config.base = "https://nexus.test";
    CHECK_THROWS_AS(pull_place(config, "docker-hosted", &http_only), regscan::sdk::Error);
}

TEST_CASE("nexus::ImageListing keeps tags, newest first, and leaves index images, repeats and bad names out") {
    ImageListing listing;
    listing.add({tagged("team/app", "1.0", "2022-01-01T00:00:00.000+00:00"),
                 tagged("team/app", "2.0", "2023-01-01T00:00:00.000+00:00"),
                 tagged("team/app", "sha256:" + std::string(64, 'b'), "2023-01-01T00:00:00.000+00:00"),
                 tagged("team/app", "nopush", ""),
                 tagged("Team/App", "1", ""),
                 tagged("team/app", "-bad", "")});
    listing.add({tagged("team/app", "1.0", "2024-01-01T00:00:00.000+00:00")});  // a group's second member
    auto images = listing.images();
    REQUIRE(images.size() == 1);
    const auto& tags = images.at("team/app");
    REQUIRE(tags.size() == 3);
    CHECK(tags[0].tag == "2.0");
    CHECK(tags[1].tag == "1.0");
    CHECK(tags[1].pushed == "2022-01-01T00:00:00.000+00:00");  // the first member won
    CHECK(tags[2].tag == "nopush");
    CHECK(tags[0].digest == "sha256:" + std::string(64, 'a'));
    CHECK(listing.by_digest() == 1);
    CHECK(listing.malformed() == 2);
    CHECK(listing.repeated() == 1);
}

TEST_CASE("nexus::valid_image_name and valid_tag follow the distribution grammar") {
    CHECK(valid_image_name("library/alpine"));
    CHECK(valid_image_name("a.b__c-d--e/f"));
    CHECK_FALSE(valid_image_name("a//b"));
    CHECK_FALSE(valid_image_name("a/../b"));
    CHECK_FALSE(valid_image_name("-a"));
    CHECK_FALSE(valid_image_name("a_"));
    CHECK_FALSE(valid_image_name(std::string(256, 'a')));
    CHECK(valid_tag("v1.2_3-rc"));
    CHECK_FALSE(valid_tag(".x"));
    CHECK_FALSE(valid_tag(std::string(129, 'a')));
    CHECK_FALSE(valid_tag("a:b"));
}

TEST_SUITE_END();
