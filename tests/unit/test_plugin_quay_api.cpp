#include <doctest/doctest.h>

#include "quay_api.hpp"

using namespace regscan::quay;
using nlohmann::json;

TEST_SUITE_BEGIN("quay");

TEST_CASE("quay::repository_names reads listRepos and keeps the asked namespace only") {
    auto page = json::parse(R"({"repositories": [
        {"namespace": "acme", "name": "api", "description": null, "is_public": false, "kind": "image"},
        {"namespace": "other", "name": "sneaky"},
        {"namespace": "acme", "name": ""},
        {"namespace": "acme", "name": 7},
        "junk",
        {"namespace": "acme", "name": "web"}], "next_page": "gAAAAAB"})");
    CHECK(repository_names(page, "acme") == std::vector<std::string>{"api", "web"});
    CHECK(repository_names(json::parse(R"({"repositories": null})"), "acme").empty());
    CHECK(repository_names(json::parse("[1,2]"), "acme").empty());
}

TEST_CASE("quay::tag_infos reads the documented listRepoTags example") {
    // quay-api-viewing-tags-api.adoc, shortened: the history of test-two has ended.
    auto page = json::parse(R"({"tags": [
        {"name": "test-two", "reversion": true, "start_ts": 1718737153,
         "manifest_digest": "sha256:57583a1b9c0a7509d3417387b4f43acf80d08cdcf5266ac87987be3f8f919d5d",
         "is_manifest_list": false, "size": 2275314, "last_modified": "Tue, 18 Jun 2024 18:59:13 -0000"},
        {"name": "test-two", "reversion": false, "start_ts": 1718737029, "end_ts": 1718737153,
         "manifest_digest": "sha256:0cd3dd6236e246b349e63f76ce5f150e7cd5dbf2f2f1f88dbd734430418dbaea",
         "is_manifest_list": false, "size": 2275317, "last_modified": "Tue, 18 Jun 2024 18:57:09 -0000",
         "expiration": "Tue, 18 Jun 2024 18:59:13 -0000"},
        {"name": "multi", "start_ts": 1e300, "manifest_digest": "sha256:ab", "is_manifest_list": true,
         "last_modified": "Thu, 06 Jun 2024 13:33:00 +0200"},
        {"name": "bad", "manifest_digest": "sha256:../../x"},
        {"reversion": false}], "page": 1, "has_additional": false})");
    auto tags = tag_infos(page, 1733300000);
    REQUIRE(tags.size() == 3);
    CHECK(tags[0].tag == "test-two");
    CHECK(tags[0].digest == "sha256:57583a1b9c0a7509d3417387b4f43acf80d08cdcf5266ac87987be3f8f919d5d");
    CHECK(tags[0].pushed == "2024-06-18T18:59:13Z");
    CHECK(tags[1].tag == "multi");
    CHECK(tags[1].digest.empty());  // not a digest the core takes (sdk::valid_digest): read by name
    CHECK(tags[1].pushed == "2024-06-06T11:33:00Z");  // start_ts out of range: last_modified
    CHECK(tags[2].tag == "bad");
    CHECK(tags[2].digest.empty());
    CHECK(tags[2].pushed.empty());
}

TEST_CASE("quay::tag_infos keeps a tag whose end_ts is still ahead") {
    auto page = json::parse(R"({"tags": [{"name": "expiring", "start_ts": 100, "end_ts": 2000}]})");
    CHECK(tag_infos(page, 1000).size() == 1);
    CHECK(tag_infos(page, 3000).empty());
}

TEST_CASE("quay::rfc3339_from_rfc2822") {
    CHECK(rfc3339_from_rfc2822("Tue, 14 May 2024 14:48:51 -0000") == "2024-05-14T14:48:51Z");
    CHECK(rfc3339_from_rfc2822("Tue, 14 May 2024 00:30:00 +0100") == "2024-05-13T23:30:00Z");
    CHECK_FALSE(rfc3339_from_rfc2822("Tue, 31 Feb 2024 14:48:51 -0000"));
    CHECK_FALSE(rfc3339_from_rfc2822("yesterday"));
    CHECK_FALSE(rfc3339_from_rfc2822(""));
    CHECK_FALSE(rfc3339_from_rfc2822("Tue, 14 Foo 2024 14:48:51 -0000"));
}

TEST_CASE("quay::readable_failure keeps Quay's error_message, even from a cut body") {
    CHECK(readable_failure(R"(GET https://q/api/v1/repository?namespace=x: HTTP 403: {"detail": "Unauthorized", )"
                           R"("error_message": "Unauthorized", "error_type": "insufficient_scope", "tit)") ==
          "GET https://q/api/v1/repository?namespace=x: HTTP 403 (Unauthorized)");
    CHECK(readable_failure("GET https://q/x: HTTP 500: oops") == "GET https://q/x: HTTP 500: oops");
    CHECK(readable_failure(R"(GET https://q/x: HTTP 401: {"error_message": ")") ==
          R"(GET https://q/x: HTTP 401: {"error_message": ")");
    CHECK(readable_failure("no response: timeout") == "no response: timeout");
}

TEST_CASE("quay::rfc3339_from_epoch and repository_path") {
    CHECK(rfc3339_from_epoch(0) == "1970-01-01T00:00:00Z");
    CHECK(rfc3339_from_epoch(1718737153) == "2024-06-18T18:59:13Z");
    CHECK(repository_path("acme", "team/app") == "acme/team/app");
    CHECK(repository_path("acme", "a?b") == "acme/a%3Fb");
}

TEST_SUITE_END();
