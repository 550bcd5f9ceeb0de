#include <doctest/doctest.h>

#include <cctype>

#include "harbor_artifacts.hpp"
#include "test_plugin_harbor_fake_host.hpp"

using namespace regscan::harbor;
using harbor_test::artifact;
using harbor_test::digest;
using nlohmann::json;

TEST_SUITE_BEGIN("harbor");

TEST_CASE("harbor::artifact_tags gives one TagInfo per tag with the manifest's media type") {
    auto entry = artifact(digest('a'), {"2.0", "latest"}, "2024-05-01T10:00:00.123Z");
    entry["tags"][1]["push_time"] = "2024-05-02T00:00:00.000Z";
    auto tags = artifact_tags(entry);
    REQUIRE(tags.size() == 2);
    CHECK(tags[0].tag == "2.0");
    CHECK(tags[0].digest == digest('a'));
    // Harbor's media_type is the config's; manifest_media_type is the manifest's.
    CHECK(tags[0].media_type == "application/vnd.oci.image.manifest.v1+json");
    CHECK(tags[0].pushed == "2024-05-01T10:00:00.123Z");
    CHECK(tags[0].created == "2023-01-01T00:00:00Z");
    CHECK(tags[0].platforms.empty());
    CHECK(tags[1].tag == "latest");
    CHECK(tags[1].pushed == "2024-05-02T00:00:00.000Z");
}

TEST_CASE("harbor::artifact_tags names an untagged artifact by its digest") {
    auto tags = artifact_tags(artifact(digest('b'), {}));
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].tag.empty());
    CHECK(tags[0].digest == digest('b'));
    auto empty_list = artifact(digest('c'), {});
    empty_list["tags"] = json::array();
    CHECK(artifact_tags(empty_list).size() == 1);
}

TEST_CASE("harbor::artifact_tags passes an index's platforms from references[]") {
    json index = {{"digest", digest('f')},
                  {"media_type", "application/vnd.oci.image.index.v1+json"},
                  {"push_time", "2024-01-01T00:00:00.000Z"},
                  {"extra_attrs", json::object()},
                  {"tags", {{{"name", "multi"}}}},
                  {"references",
                   {{{"child_digest", digest('1')}, {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                    {{"child_digest", digest('2')},
                     {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}},
                    {{"child_digest", digest('3')}, {"platform", {{"os", "unknown"}, {"architecture", "unknown"}}}}}}};
    auto tags = artifact_tags(index);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].media_type == "application/vnd.oci.image.index.v1+json");
    CHECK(tags[0].created.empty());
    REQUIRE(tags[0].platforms.size() == 2);
    CHECK(tags[0].platforms[0].platform == "linux/amd64");
    CHECK(tags[0].platforms[0].digest == digest('1'));
    CHECK(tags[0].platforms[1].platform == "linux/arm64/v8");

    // One incomplete entry: the core reads the index itself.
    index["references"][1]["platform"].erase("architecture");
    CHECK(index_platforms(index).empty());
    index["references"] = {{{"child_digest", "sha256:short"}, {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}};
    CHECK(index_platforms(index).empty());
}

TEST_CASE("harbor::artifact_tags drops what is not an artifact and values that are not what they claim") {
    CHECK(artifact_tags(json::array()).empty());
    // A digest the core would refuse: the tags are read by name, untagged is dropped.
    auto traversal = artifact_tags(artifact("sha256:../../etc", {"x"}));
    REQUIRE(traversal.size() == 1);
    CHECK(traversal[0].tag == "x");
    CHECK(traversal[0].digest.empty());
    CHECK(artifact_tags(artifact("sha256:../../etc", {})).empty());
    CHECK(artifact_tags(artifact("", {})).empty());
    auto odd = artifact(digest('d'), {"x"}, "yesterday");
    odd["extra_attrs"]["created"] = 17;
    odd.erase("manifest_media_type");
    auto tags = artifact_tags(odd);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].pushed.empty());
    CHECK(tags[0].created.empty());
    CHECK(tags[0].media_type.empty());  // a config media type is no manifest type
    auto nameless = artifact(digest('e'), {"x"});
    nameless["tags"][0].erase("name");
    REQUIRE(artifact_tags(nameless).size() == 1);
    CHECK(artifact_tags(nameless)[0].tag.empty());
}

TEST_CASE("harbor::artifact_tags drops an oversized value it would copy into each tag") {
    auto entry = artifact(digest('a'), {"1", "2"}, "2024-05-01T10:00:00." + std::string(300, '1') + "Z");
    entry["manifest_media_type"] = "application/vnd.oci.image.manifest.v1+json;" + std::string(1 << 20, 'x');
    entry["extra_attrs"]["created"] = "2023-01-01T00:00:00." + std::string(300, '0') + "Z";
    auto tags = artifact_tags(entry);
    REQUIRE(tags.size() == 2);
    for (const auto& tag : tags) {
        CHECK(tag.digest == digest('a'));
        CHECK(tag.media_type.empty());
        CHECK(tag.pushed.empty());
        CHECK(tag.created.empty());
    }
    entry["manifest_media_type"] = "application/vnd.oci.image.manifest.v1+json";
    entry["push_time"] = "2024-05-01T10:00:00." + std::string(200, '1') + "Z";  // within the bound: read
    CHECK(artifact_tags(entry)[0].media_type == "application/vnd.oci.image.manifest.v1+json");
    CHECK_FALSE(artifact_tags(entry)[0].pushed.empty());
}

TEST_CASE("harbor::artifact_tags and TagCollector bound the tags made and the platforms copied into them") {
    json index = {{"digest", digest('f')}, {"media_type", "application/vnd.oci.image.index.v1+json"},
                  {"tags", json::array()}, {"references", json::array()}};
    for (char c : std::string("0123456789"))
        index["references"].push_back(
            {{"child_digest", digest(c)}, {"platform", {{"os", "linux"}, {"architecture", std::string(1, c)}}}});
    for (int i = 0; i < 5; ++i) index["tags"].push_back({{"name", "t" + std::to_string(i)}});
    // Room for two tags' platforms: the others are listed without (the core reads their index).
    auto tags = artifact_tags(index, SIZE_MAX, 25);
    REQUIRE(tags.size() == 5);
    CHECK(tags[0].platforms.size() == 10);
    CHECK(tags[1].platforms.size() == 10);
    CHECK(tags[2].platforms.empty());
    CHECK(tags[4].platforms.empty());
    CHECK(artifact_tags(index, 3).size() == 3);
    auto oversized = index;
    oversized["references"][0]["platform"]["variant"] = std::string(300, 'v');
    CHECK(index_platforms(oversized).empty());  // an incomplete entry: the core reads the index

    TagCollector collector(4);
    collector.add(index);
    CHECK(collector.size() == 5);  // one past the limit: the session stops the walk there
    json many = index;
    many["tags"] = json::array();
    for (size_t i = 0; i < regscan::sdk::max_listed_platforms / 10 + 5; ++i)
        many["tags"].push_back({{"name", "m" + std::to_string(i)}});
    TagCollector unbounded;
    unbounded.add(many);
    size_t platforms = 0;
    for (const auto& tag : unbounded.take()) platforms += tag.platforms.size();
    CHECK(platforms == regscan::sdk::max_listed_platforms);
}

TEST_CASE("harbor::TagCollector counts tags toward its limit only once they are new") {
    // A page shifted by a push lists a tag again: at the limit, that
    // duplicate must not take the place of the tag after it.
    TagCollector collector(3);
    collector.add(artifact(digest('a'), {"a", "b", "c"}));
    collector.add(artifact(digest('b'), {"a", "d"}));
    CHECK(collector.size() == 4);  // one past the limit: the walk stops, the core reports the cut

    // An artifact whose tags were all seen is not an untagged one.
    TagCollector seen;
    seen.add(artifact(digest('a'), {"x"}));
    seen.add(artifact(digest('b'), {"x"}));
    seen.add(artifact(digest('c'), {}));
    seen.add(artifact(digest('c'), {}));
    auto tags = seen.take();
    REQUIRE(tags.size() == 2);
    CHECK(tags[0].digest == digest('a'));
    CHECK(tags[1].tag.empty());
    CHECK(tags[1].digest == digest('c'));
}

TEST_CASE("harbor::artifact_tags takes digests as the core does: sha256 or sha512, lower-case hex") {
    std::string upper = digest('a');
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper.replace(0, 6, "sha256");
    for (const auto& refused : {upper, "md5:" + std::string(32, 'a')}) {
        CAPTURE(refused);
        auto tags = artifact_tags(artifact(refused, {"x"}));
        REQUIRE(tags.size() == 1);
        CHECK(tags[0].digest.empty());
        CHECK(artifact_tags(artifact(refused, {})).empty());
    }
    auto sha512 = artifact_tags(artifact("sha512:" + std::string(128, 'a'), {"x"}));
    REQUIRE(sha512.size() == 1);
    CHECK(sha512[0].digest == "sha512:" + std::string(128, 'a'));
}

TEST_CASE("harbor::time_key orders RFC 3339 UTC times, fractions included") {
    CHECK(time_key("2024-01-01T00:00:00Z") == "2024-01-01T00:00:00.000000000");
    CHECK(time_key("2024-01-01T00:00:00.5Z") > time_key("2024-01-01T00:00:00.123Z"));
    CHECK(time_key("2024-01-01T00:00:00+01:00").empty());
    CHECK(time_key("2024-01-01").empty());
    CHECK(time_key("0001-01-01T00:00:00.000Z") < time_key("2024-01-01T00:00:00Z"));
}

TEST_CASE("harbor::time_key refuses a date or time that does not exist") {
    for (const char* impossible :
         {"9999-99-99T99:99:99Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
          "2024-04-31T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-01-01T24:00:00Z",
          "2024-01-01T00:60:00Z", "2024-01-01T00:00:61Z", "2024-01-01T0a:00:00Z", "2024-01-01T00:00:00.Z"}) {
        CAPTURE(impossible);
        CHECK(time_key(impossible).empty());
    }
    for (const char* possible : {"2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "2016-12-31T23:59:60Z",
                                 "0000-01-01T00:00:00Z", "2024-12-31t12:00:00.999999999999z"}) {
        CAPTURE(possible);
        CHECK_FALSE(time_key(possible).empty());
    }

    // An impossible build or push time is dropped from the tag, as a missing one.
    auto entry = artifact(digest('a'), {"x"}, "2024-02-30T00:00:00.000Z");
    entry["extra_attrs"]["created"] = "9999-99-99T99:99:99Z";
    auto tags = artifact_tags(entry);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].created.empty());
    CHECK(tags[0].pushed.empty());
}

TEST_CASE("harbor::TagCollector keeps each tag and untagged digest once, newest push first") {
    TagCollector collector;
    collector.add(artifact(digest('a'), {"old"}, "2020-01-01T00:00:00.000Z"));
    collector.add(artifact(digest('b'), {"new"}, "2024-01-01T00:00:00.000Z"));
    collector.add(artifact(digest('b'), {"new"}, "2024-01-01T00:00:00.000Z"));  // a page shifted by a push
    collector.add(artifact(digest('c'), {}, "2022-01-01T00:00:00.000Z"));
    collector.add(artifact(digest('c'), {}, "2022-01-01T00:00:00.000Z"));
    collector.add(artifact(digest('d'), {"timeless"}, "n/a"));
    CHECK(collector.size() == 4);
    auto tags = collector.take();
    REQUIRE(tags.size() == 4);
    CHECK(tags[0].tag == "new");
    CHECK(tags[1].digest == digest('c'));
    CHECK(tags[2].tag == "old");
    CHECK(tags[3].tag == "timeless");
}

TEST_SUITE_END();
