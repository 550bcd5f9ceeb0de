#include <doctest/doctest.h>

#include "regscan/registry.hpp"

using namespace regscan::sdk;
using nlohmann::json;

TEST_SUITE_BEGIN("sdk");

TEST_CASE("sdk::TagInfo crosses the ABI as JSON with its platform images") {
    TagInfo tag{"1.0", "sha256:idx", "", "2024-01-01T00:00:00Z", "application/vnd.oci.image.index.v1+json",
                {{"linux/amd64", "sha256:a"}, {"linux/arm64/v8", "sha256:b"}}};
    json j = tag;
    CHECK(j.at("platforms") == json::parse(R"([{"platform":"linux/amd64","digest":"sha256:a"},
                                              {"platform":"linux/arm64/v8","digest":"sha256:b"}])"));
    CHECK_FALSE(j.contains("created"));
    auto back = j.get<TagInfo>();
    CHECK(back.tag == "1.0");
    CHECK(back.digest == "sha256:idx");
    CHECK(back.pushed == "2024-01-01T00:00:00Z");
    REQUIRE(back.platforms.size() == 2);
    CHECK(back.platforms[1].platform == "linux/arm64/v8");
    CHECK(back.platforms[1].digest == "sha256:b");
}

TEST_CASE("sdk::TagInfo from an SDK 1.0 plugin has no platforms") {
    auto tag = json::parse(R"({"tag": "latest", "digest": "sha256:x"})").get<TagInfo>();
    CHECK(tag.platforms.empty());
    CHECK_FALSE(json(tag).contains("platforms"));
    // A malformed entry is dropped, not fatal: the core then reads the index.
    auto odd = json::parse(R"({"tag": "t", "platforms": "linux/amd64"})").get<TagInfo>();
    CHECK(odd.platforms.empty());
}

TEST_CASE("sdk::SessionConfig::option_list splits a repeatable option, trimmed and each once") {
    SessionConfig config;
    config.options["harbor-project"] = " team , ,library,team,robot$x ";
    CHECK(config.option_list("harbor-project") == std::vector<std::string>{"team", "library", "robot$x"});
    CHECK(config.option_list("absent").empty());
    CHECK(split_option_list(",,") .empty());
}


TEST_CASE("sdk::HttpResponse::describe cuts an error body at 200 bytes, never inside a UTF-8 character") {
    regscan::sdk::HttpResponse response;
    response.status = 404;
    response.body = std::string(199, 'x') + "\xC3\xA9" + "tail";  // 'é' at bytes 199-200
    CHECK(response.describe() == "HTTP 404: " + std::string(199, 'x'));
    response.body = std::string(200, 'y') + "\xC3\xA9";
    CHECK(response.describe() == "HTTP 404: " + std::string(200, 'y'));
    response.body = "line one\nline two";
    CHECK(response.describe() == "HTTP 404: line one line two");
}

TEST_SUITE_END();
