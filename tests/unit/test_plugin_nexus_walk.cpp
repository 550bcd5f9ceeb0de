#include <doctest/doctest.h>

#include <cstdint>

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
    auto images = listing.take_images();
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

TEST_CASE("nexus::ImageListing stops taking components at one image more than max_images") {
    ImageListing listing(2);
    CHECK(listing.add({tagged("a", "1", ""), tagged("b", "1", ""), tagged("a", "2", "")}));
    CHECK_FALSE(listing.add({tagged("c", "1", ""), tagged("d", "1", ""), tagged("b", "2", "")}));
    CHECK(listing.full() == ImageListing::Full::images);
    CHECK_FALSE(listing.add({tagged("e", "1", "")}));
    auto images = listing.take_images();
    CHECK(images.size() == 3);  // one more than kept: the core reports the cut
    CHECK(images.count("d") == 0);
    CHECK(images.at("b").size() == 1);
    CHECK(listing.image_count() == 0);  // moved out

    ImageListing none(0);
    CHECK_FALSE(none.add({tagged("a", "1", "")}));
    CHECK(none.image_count() == 1);
}

TEST_CASE("nexus::ImageListing stops taking one image's tags at one more than max_tags, and goes on") {
    ImageListing listing(SIZE_MAX, 2);
    CHECK(listing.add({tagged("a", "1", ""), tagged("b", "1", ""), tagged("a", "2", ""), tagged("b", "2", "")}));
    CHECK(listing.add({tagged("b", "3", ""), tagged("b", "4", ""), tagged("b", "3", ""), tagged("a", "3", "")}));
    CHECK(listing.add({tagged("late", "1", ""), tagged("b", "5", ""), tagged("late", "2", "")}));
    CHECK(listing.full() == ImageListing::Full::no);
    CHECK(listing.cut_images() == std::vector<std::string>{"b", "a"});
    CHECK(listing.tags_not_taken() == 2);  // b:4 and b:5; the repeated b:3 is a repeat
    CHECK(listing.repeated() == 1);
    auto images = listing.take_images();
    CHECK(images.at("b").size() == 3);  // one more than kept: the core reports that image as cut
    CHECK(images.at("a").size() == 3);
    CHECK(images.at("late").size() == 2);  // first seen after the cuts, listed whole
}

TEST_CASE("nexus::ImageListing checks the whole name the core will give an image, and counts only those") {
    const std::string prefix = "docker-hosted/";
    ImageListing listing(1, SIZE_MAX, prefix);
    const std::string longest(255 - prefix.size(), 'a');
    CHECK(listing.add({tagged(longest + "a", "1", ""), tagged(longest, "1", "")}));
    CHECK(listing.malformed() == 1);  // 256 characters as the core names it: refused there, so not counted here
    CHECK(listing.image_count() == 1);
    CHECK(listing.full() == ImageListing::Full::no);
}

TEST_CASE("nexus::plan_walk names the first ten skipped repositories and counts the rest") {
    std::vector<NexusRepository> many;
    for (int i = 0; i < 25; ++i) many.push_back({"group-" + std::to_string(i), "docker", "group", {}});
    many.push_back({"hosted", "docker", "hosted", {}});
    std::map<std::string, RepositorySettings> s;
    for (int i = 0; i < 30; ++i) s["group-0"].members.push_back("member-" + std::to_string(i));
    auto walk = plan_walk(many, s, {});
    CHECK(names(walk) == std::vector<std::string>{"hosted"});
    REQUIRE(walk.skipped.size() == 11);
    CHECK(walk.skipped[0].find("member-9 and 20 more") != std::string::npos);
    CHECK(walk.skipped[0].find("member-10") == std::string::npos);
    CHECK(walk.skipped[10] == "15 more Nexus repositories skipped (groups, offline or of an unknown type)");
}

TEST_CASE("nexus::plan_walk walks no repository whose name Nexus would not give, and each name once") {
    auto walk = plan_walk({{"../../v2/x", "docker", "hosted", {}},
                           {"a/b", "docker", "hosted", {}},
                           {"_x", "docker", "hosted", {}},
                           {std::string(201, 'a'), "docker", "hosted", {}},
                           {"ok", "docker", "hosted", {}},
                           {"ok", "docker", "proxy", {}}},
                          {}, {});
    CHECK(names(walk) == std::vector<std::string>{"ok"});
    REQUIRE(walk.skipped.size() == 1);
    CHECK(walk.skipped[0].find("4 Nexus repositories listed with a name Nexus does not give") == 0);
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
