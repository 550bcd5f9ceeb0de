#include <doctest/doctest.h>

#include "acr_api.hpp"
#include "acr_errors.hpp"
#include "regscan/error.hpp"
#include "test_plugin_acr_fake_host.hpp"

using namespace regscan::acr;
using regscan::sdk::HttpResponse;

TEST_SUITE_BEGIN("acr");

namespace {

const std::string tags_url = "https://r.azurecr.io/acr/v1/team/app/_tags?n=100";

// The spec's TagAttributesBase example, as ACR sends it.
nlohmann::json spec_tag(const std::string& name) {
    return {{"name", name},
            {"digest", "sha256:0873c923e00e0fd2ba78041bfb64a105e1ecb7678916d1f7776311e45bf5634b"},
            {"createdTime", "2018-08-10T17:28:44.1082945Z"},
            {"lastUpdateTime", "2019-01-02T03:04:05.1234567Z"},
            {"signed", true},
            {"changeableAttributes",
             {{"readEnabled", true}, {"listEnabled", true}, {"deleteEnabled", true}, {"writeEnabled", true}}}};
}

}  // namespace

TEST_CASE("acr::tag_infos keeps name, digest and push time, never the tag's times as build time") {
    nlohmann::json page = {{"registry", "r.azurecr.io"}, {"imageName", "team/app"}, {"tags", {spec_tag("1.0")}}};
    auto tags = tag_infos(page, tags_url);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].tag == "1.0");
    CHECK(tags[0].digest == "sha256:0873c923e00e0fd2ba78041bfb64a105e1ecb7678916d1f7776311e45bf5634b");
    CHECK(tags[0].pushed == "2019-01-02T03:04:05.1234567Z");
    CHECK(tags[0].created.empty());
    CHECK(tags[0].media_type.empty());
}

TEST_CASE("acr::tag_infos falls back to createdTime and skips entries without a name") {
    auto only_created = spec_tag("2.0");
    only_created.erase("lastUpdateTime");
    nlohmann::json page = {{"tags", {only_created, {{"digest", "sha256:aa"}}, "junk", spec_tag("")}}};
    auto tags = tag_infos(page, tags_url);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].pushed == "2018-08-10T17:28:44.1082945Z");
}

TEST_CASE("acr::tag_infos and catalog_names accept empty pages and refuse malformed ones") {
    CHECK(tag_infos({{"tags", nullptr}}, tags_url).empty());
    CHECK(tag_infos(nlohmann::json::object(), tags_url).empty());
    CHECK_THROWS_AS(tag_infos({{"tags", "1.0"}}, tags_url), regscan::sdk::Error);
    CHECK_THROWS_AS(tag_infos(nlohmann::json::array(), tags_url), regscan::sdk::Error);
    CHECK(catalog_names({{"repositories", {"production/alpine", "testing/alpine"}}}, "u") ==
          std::vector<std::string>{"production/alpine", "testing/alpine"});
    CHECK(catalog_names({{"repositories", nullptr}}, "u").empty());
    CHECK_THROWS_AS(catalog_names({{"repositories", {{"a", 1}}}}, "u"), regscan::sdk::Error);
}

TEST_CASE("acr::next_page follows a relative Link header") {
    HttpResponse response;
    response.headers = {{"Link", R"(</acr/v1/_catalog?last=b&n=2&orderby=>; rel="next")"}};
    CHECK(next_page("https://r.azurecr.io/acr/v1/_catalog?n=2", response, nlohmann::json::object()) ==
          "https://r.azurecr.io/acr/v1/_catalog?last=b&n=2&orderby=");
    response.headers = {{"Link", R"(</acr/v1/_catalog?last=b>; rel="prev")"}};
    CHECK(next_page("https://r.azurecr.io/acr/v1/_catalog", response, nlohmann::json::object()).empty());
}

TEST_CASE("acr::next_page reads the body's link when there is no header") {
    HttpResponse response;
    CHECK(next_page(tags_url, response, {{"link", R"(</acr/v1/team/app/_tags?last=1.0&n=100>; rel="next")"}}) ==
          "https://r.azurecr.io/acr/v1/team/app/_tags?last=1.0&n=100");
    CHECK(next_page(tags_url, response, {{"link", "/acr/v1/team/app/_tags?last=2.0"}}) ==
          "https://r.azurecr.io/acr/v1/team/app/_tags?last=2.0");
    CHECK(next_page(tags_url, response, {{"tags", nlohmann::json::array()}}).empty());
}

TEST_CASE("acr::acr_error_text and entra_error_text name the refusal, not the request") {
    auto acr = acr_test::json_reply(
        401, {{"errors", {{{"code", "UNAUTHORIZED"}, {"message", "authentication required"}, {"detail", nullptr}}}}});
    CHECK(acr_error_text(acr) == "HTTP 401 UNAUTHORIZED: authentication required");

    auto entra = acr_test::json_reply(
        401, {{"error", "invalid_client"},
              {"error_description", "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1234\r\nCorrelation ID: 5"}});
    CHECK(entra_error_text(entra) == "HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided.");

    HttpResponse plain;
    plain.status = 404;
    plain.body = "404 page not found\n";
    CHECK(acr_error_text(plain) == "HTTP 404: 404 page not found ");
    HttpResponse none;
    none.error = "Couldn't connect to server";
    CHECK(entra_error_text(none) == "no response: Couldn't connect to server");
}

TEST_SUITE_END();
