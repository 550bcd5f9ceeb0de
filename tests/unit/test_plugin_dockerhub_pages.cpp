#include <doctest/doctest.h>

#include "hub_pages.hpp"
#include "regscan/error.hpp"

using namespace regscan::dockerhub;
using nlohmann::json;

namespace {

const std::string url = "https://hub.docker.com/v2/namespaces/acme/repositories?page_size=100";

std::vector<std::string> names_of(const std::vector<regscan::sdk::TagInfo>& tags) {
    std::vector<std::string> names;
    for (const auto& t : tags) names.push_back(t.tag);
    return names;
}

}  // namespace

TEST_SUITE_BEGIN("dockerhub");

TEST_CASE("dockerhub::parse_repository_page reads names and next of list_repositories_response") {
    auto body = json::parse(R"({
        "count": 3,
        "next": "https://hub.docker.com/v2/namespaces/acme/repositories?page=2&page_size=2",
        "previous": null,
        "results": [
            {"name": "api", "namespace": "acme", "repository_type": "image", "status": 1,
             "status_description": "active", "is_private": false, "last_updated": "2024-01-02T03:04:05.123456Z"},
            {"name": "web", "namespace": "acme", "repository_type": null, "is_private": true}
        ]})");
    auto page = parse_repository_page(body, url);
    CHECK(page.names == std::vector<std::string>{"api", "web"});
    CHECK(page.next == "https://hub.docker.com/v2/namespaces/acme/repositories?page=2&page_size=2");

    auto last = parse_repository_page(json::parse(R"({"count": 0, "next": null, "previous": null, "results": []})"), url);
    CHECK(last.names.empty());
    CHECK(last.next.empty());
}

TEST_CASE("dockerhub::parse_repository_page refuses what is not a page") {
    CHECK_THROWS_AS(parse_repository_page(json::array(), url), regscan::sdk::Error);
    CHECK_THROWS_AS(parse_repository_page(json{{"results", "x"}}, url), regscan::sdk::Error);
}

TEST_CASE("dockerhub::parse_tag_page keeps name, digest, media type and push time") {
    auto body = json::parse(R"({
        "count": 3, "next": null, "previous": "https://hub.docker.com/x?page=1",
        "results": [
            {"name": "latest", "digest": "sha256:aaa", "media_type": "application/vnd.oci.image.index.v1+json",
             "last_updated": "2024-05-01T00:00:00.5Z", "tag_last_pushed": "2024-05-01T00:00:00.4Z",
             "images": [{"architecture": "amd64", "os": "linux", "digest": "sha256:a1", "size": 10},
                        {"architecture": "arm64", "os": "linux", "variant": "v8", "digest": "sha256:a2"}]},
            {"name": "1.0", "last_updated": "2023-01-01T00:00:00Z", "tag_last_pushed": null,
             "images": [{"architecture": "amd64", "os": "linux", "digest": "sha256:b1"}]},
            {"name": "old", "digest": null, "last_updated": null, "images": {"digest": "sha256:c1"}},
            {"digest": "sha256:nameless"}
        ]})");
    auto page = parse_tag_page(body, url);
    REQUIRE(page.tags.size() == 3);
    CHECK(page.tags[0].tag == "latest");
    CHECK(page.tags[0].digest == "sha256:aaa");
    CHECK(page.tags[0].media_type == "application/vnd.oci.image.index.v1+json");
    CHECK(page.tags[0].pushed == "2024-05-01T00:00:00.4Z");
    CHECK(page.tags[0].created.empty());
    // Without a tag digest, a single image's digest is the tag's (Hub's array
    // form, and the spec's object form).
    CHECK(page.tags[1].digest == "sha256:b1");
    CHECK(page.tags[1].pushed == "2023-01-01T00:00:00Z");
    CHECK(page.tags[2].digest == "sha256:c1");
    CHECK(page.tags[2].pushed.empty());
    CHECK(page.next.empty());
}

TEST_CASE("dockerhub::parse_tag_page lists an index's platform images, attestations left out") {
    auto body = json::parse(R"({"results": [
        {"name": "multi", "digest": "sha256:idx", "images": [
            {"architecture": "amd64", "os": "linux", "digest": "sha256:m1"},
            {"architecture": "arm64", "os": "linux", "variant": "v8", "digest": "sha256:m2"},
            {"architecture": "unknown", "os": "unknown", "digest": "sha256:att"}]},
        {"name": "single", "digest": "sha256:one", "images": [
            {"architecture": "amd64", "os": "linux", "digest": "sha256:one"}]},
        {"name": "incomplete", "digest": "sha256:idx2", "images": [
            {"architecture": "amd64", "os": "linux", "digest": "sha256:n1"},
            {"architecture": "arm64", "os": "linux", "digest": null}]},
        {"name": "no-tag-digest", "images": [
            {"architecture": "amd64", "os": "linux", "digest": "sha256:p1"},
            {"architecture": "arm64", "os": "linux", "digest": "sha256:p2"}]}
    ]})");
    auto page = parse_tag_page(body, url);
    REQUIRE(page.tags.size() == 4);
    REQUIRE(page.tags[0].platforms.size() == 2);
    CHECK(page.tags[0].platforms[0].platform == "linux/amd64");
    CHECK(page.tags[0].platforms[0].digest == "sha256:m1");
    CHECK(page.tags[0].platforms[1].platform == "linux/arm64/v8");
    CHECK(page.tags[0].platforms[1].digest == "sha256:m2");
    // A single image is the tag itself; a missing digest or tag digest means
    // the core must read the index.
    CHECK(page.tags[1].platforms.empty());
    CHECK(page.tags[2].platforms.empty());
    CHECK(page.tags[3].platforms.empty());
}

TEST_CASE("dockerhub::rfc3339_micros reads Hub times with fractions and offsets") {
    CHECK(rfc3339_micros("1970-01-01T00:00:00Z") == 0);
    CHECK(rfc3339_micros("1970-01-01T00:00:01.5Z") == 1500000);
    CHECK(rfc3339_micros("2021-01-05T21:06:53.506400Z") == std::int64_t{1609880813} * 1000000 + 506400);
    CHECK(rfc3339_micros("2021-01-05T22:06:53.506400+01:00") == rfc3339_micros("2021-01-05T21:06:53.506400Z"));
    CHECK(rfc3339_micros("2000-02-29T12:00:00.123456789Z") == std::int64_t{951825600} * 1000000 + 123456);
    for (const char* bad : {"", "2021-01-05", "2021-01-05T21:06:53", "2021-13-05T21:06:53Z", "2021-01-05T21:06:53.Z",
                            "2021-01-05T21:06:53Zjunk", "2021-01-05T21:06:53+0100"})
        CHECK_FALSE_MESSAGE(rfc3339_micros(bad).has_value(), bad);
}

TEST_CASE("dockerhub::sort_newest_first orders by push time, unknown times last") {
    std::vector<regscan::sdk::TagInfo> tags(5);
    tags[0].tag = "a";
    tags[0].pushed = "2020-01-01T00:00:00Z";
    tags[1].tag = "b";
    tags[2].tag = "c";
    tags[2].pushed = "2024-01-01T00:00:00.000001Z";
    tags[3].tag = "d";
    tags[3].pushed = "2024-01-01T01:00:00+01:00";  // the same instant as 2024-01-01T00:00:00Z
    tags[4].tag = "e";
    tags[4].pushed = "2024-01-01T00:00:00Z";
    sort_newest_first(tags);
    CHECK(names_of(tags) == std::vector<std::string>{"c", "d", "e", "a", "b"});
}

TEST_CASE("dockerhub::next_page_url follows same-origin pages and re-bases others onto the API") {
    const std::string api = "http://127.0.0.1:9000";
    const std::string current = api + "/v2/namespaces/acme/repositories?page_size=100";
    CHECK(next_page_url(api, current, "") == "");
    CHECK(next_page_url(api, current, api + "/v2/namespaces/acme/repositories?page=2&page_size=100") ==
          api + "/v2/namespaces/acme/repositories?page=2&page_size=100");
    CHECK(next_page_url(api, current, "/v2/namespaces/acme/repositories?page=3") ==
          api + "/v2/namespaces/acme/repositories?page=3");
    // The Hub token goes to the configured API only.
    CHECK(next_page_url(api, current, "https://hub.docker.com/v2/namespaces/acme/repositories?page=2") ==
          api + "/v2/namespaces/acme/repositories?page=2");
    CHECK(next_page_url("http://proxy.test/hub", "http://proxy.test/hub/v2/x", "https://evil.test/v2/x?page=2") ==
          "http://proxy.test/hub/v2/x?page=2");
}

TEST_CASE("dockerhub::hub_error_text prefers detail, then message, then the body") {
    CHECK(hub_error_text(R"({"detail": "Incorrect authentication credentials"})") ==
          "Incorrect authentication credentials");
    CHECK(hub_error_text(R"({"errinfo": null, "message": "not found"})") == "not found");
    CHECK(hub_error_text(R"({"details": "incorrect username or password"})") == "incorrect username or password");
    CHECK(hub_error_text("<html>\nBad gateway</html>") == "<html> Bad gateway</html>");
    CHECK(hub_error_text(std::string(500, 'x')).size() == 200);
}

TEST_SUITE_END();
