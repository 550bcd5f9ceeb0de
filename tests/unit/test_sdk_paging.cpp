#include <doctest/doctest.h>

#include "regscan/base64.hpp"
#include "regscan/pagination.hpp"
#include "regscan/paging.hpp"
#include "regscan/plugin.hpp"
#include "regscan/testing/fake_host.hpp"

using namespace regscan::sdk;
using fake_host::Call;
using fake_host::FakeHost;
using nlohmann::json;

namespace {

HttpResponse json_page(const json& body, std::vector<Header> headers = {}) {
    HttpResponse response;
    response.status = 200;
    response.body = body.dump();
    response.headers = std::move(headers);
    return response;
}

std::vector<std::string> walk(FakeHost& fake, HttpRequest first, const NextPage& next) {
    std::vector<std::string> urls;
    for_each_page(fake.host(), std::move(first), next, [&](const Page& page) { urls.push_back(page.url); });
    return urls;
}

HttpRequest get(const std::string& url) {
    HttpRequest request;
    request.url = url;
    return request;
}

}  // namespace

TEST_SUITE_BEGIN("sdk");

TEST_CASE("sdk::base64 follows RFC 4648 and reads JWT segments") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("admin:p\xC3\xA4ss") == "YWRtaW46cMOkc3M=");
    CHECK(base64_decode("QVdTOnNlY3JldA==") == std::optional<std::string>("AWS:secret"));
    CHECK(base64_decode("QVdTOnNlY3JldA") == std::optional<std::string>("AWS:secret"));
    CHECK_FALSE(base64_decode("not base64!"));
    CHECK_FALSE(base64_decode("Z"));
    CHECK(base64url_decode("Zm9vYg") == "foob");
    CHECK(base64url_decode("Zm9vYg==") == "foob");
    CHECK(base64url_decode("-_8") == std::string("\xFB\xFF", 2));
    CHECK_FALSE(base64url_decode("+/8"));
    for (std::string text : {"", "a", "ab", "abc", "robot$project+name:tok\xFF"})
        CHECK(base64_decode(base64_encode(text)) == text);
}

TEST_CASE("sdk::with_query sets or replaces one parameter, encoded") {
    CHECK(with_query("https://h/api?page=1&page_size=10", "page", "2") == "https://h/api?page_size=10&page=2");
    CHECK(with_query("https://h/api", "continuationToken", "a b/c") == "https://h/api?continuationToken=a%20b%2Fc");
    CHECK(with_query("https://h/api?x=1#frag", "y", "2") == "https://h/api?x=1&y=2");
}

TEST_CASE("sdk::for_each_page carries the request template to every page") {
    FakeHost fake([](const Call& call) {
        if (fake_host::field(call.fields(true), "continuationToken").empty())
            return json_page({{"items", {1}}, {"continuationToken", "t2"}});
        return json_page({{"items", {2}}, {"continuationToken", nullptr}});
    });
    HttpRequest first = get("https://nexus.test/service/rest/v1/components?repository=docker");
    first.headers.emplace_back("Authorization", "Bearer api-token");
    auto urls = walk(fake, first, next_page::body_token("continuationToken", "continuationToken"));
    REQUIRE(urls.size() == 2);
    CHECK(urls[1] == "https://nexus.test/service/rest/v1/components?repository=docker&continuationToken=t2");
    REQUIRE(fake.calls.size() == 2);
    CHECK(fake.calls[1].header("Authorization") == "Bearer api-token");
}

TEST_CASE("sdk::next_page rules: body URL, header token, flag and counter") {
    SUBCASE("body_url, relative") {
        FakeHost fake([](const Call& call) {
            return call.path() == "/v2/repositories/a" ? json_page({{"next", "/v2/repositories/a?page=2"}})
                                                        : json_page({{"next", nullptr}});
        });
        CHECK(walk(fake, get("https://hub.test/v2/repositories/a"), next_page::body_url("next")).size() == 2);
    }
    SUBCASE("header_token") {
        FakeHost fake([](const Call& call) {
            bool first = call.path().find("page=") == std::string::npos;
            return json_page(json::array(), {{"X-Next-Page", first ? "2" : ""}});
        });
        auto urls = walk(fake, get("https://gl.test/api/v4/projects"), next_page::header_token("X-Next-Page", "page"));
        REQUIRE(urls.size() == 2);
        CHECK(urls[1] == "https://gl.test/api/v4/projects?page=2");
    }
    SUBCASE("while_true counts pages from the URL's own value") {
        FakeHost fake([](const Call& call) {
            bool more = call.path().find("page=3") == std::string::npos;
            return json_page({{"tags", json::array()}, {"has_additional", more}});
        });
        auto urls = walk(fake, get("https://quay.test/api/v1/repository/o/r/tag/?limit=100&page=1"),
                         next_page::while_true("has_additional", "page"));
        REQUIRE(urls.size() == 3);
        CHECK(urls[2] == "https://quay.test/api/v1/repository/o/r/tag/?limit=100&page=3");
    }
}

TEST_CASE("sdk::for_each_page refuses another origin, stops on a loop and on StopPages") {
    SUBCASE("another origin") {
        FakeHost fake([](const Call&) { return json_page({{"next", "https://evil.test/steal"}}); });
        CHECK_THROWS_WITH_AS(walk(fake, get("https://reg.test/api"), next_page::body_url("next")),
                             doctest::Contains("another origin refused"), Error);
        CHECK(fake.calls.size() == 1);
    }
    SUBCASE("a page that links to itself") {
        FakeHost fake([](const Call&) { return json_page({{"next", "/api?page=1"}}); });
        CHECK(walk(fake, get("https://reg.test/api?page=1"), next_page::body_url("next")).size() == 1);
    }
    SUBCASE("StopPages keeps what was read") {
        FakeHost fake([](const Call& call) { return json_page({{"next", call.path() + "x"}}); });
        size_t pages = 0;
        for_each_page(fake.host(), get("https://reg.test/a"), next_page::body_url("next"), [&](const Page&) {
            if (++pages == 3) throw StopPages{};
        });
        CHECK(pages == 3);
    }
    SUBCASE("an error page names its status") {
        FakeHost fake([](const Call&) {
            HttpResponse response;
            response.status = 403;
            return response;
        });
        CHECK_THROWS_AS(walk(fake, get("https://reg.test/a"), next_page::link()), Error);
    }
}

TEST_CASE("sdk::for_each_page keeps what was read when the host cuts the listing, on any page") {
    auto refused = [](const std::string& error) {
        HttpResponse response;
        response.error = error;
        return response;
    };
    for (size_t cut_at : {0, 1, 3}) {
        CAPTURE(cut_at);
        size_t served = 0;
        FakeHost fake([&](const Call& call) {
            return served++ < cut_at ? json_page({{"next", call.path() + "x"}})
                                       : refused(std::string(listing_limit_marker) + "more than 3 requests");
        });
        size_t pages = 0;
        CHECK_FALSE(for_each_page(fake.host(), get("https://reg.test/a"), next_page::body_url("next"),
                                  [&](const Page&) { ++pages; }));
        CHECK(pages == cut_at);
        CHECK(fake.calls.size() == cut_at + 1);
    }
    SUBCASE("any other failure without an answer still fails the walk") {
        FakeHost fake([&](const Call&) { return refused("Couldn't connect to server"); });
        CHECK_THROWS_AS(walk(fake, get("https://reg.test/a"), next_page::link()), Error);
    }
    SUBCASE("a walk to its end says so") {
        FakeHost fake([](const Call&) { return json_page(json::array()); });
        CHECK(for_each_page(fake.host(), get("https://reg.test/a"), next_page::link(), [](const Page&) {}));
    }
}

TEST_CASE("sdk 1.2 JSON: plugin_data round-trips, may_request crosses, credentials answer") {
    Repository repository{"team/app", "", "", "", json{{"project_id", 7}, {"key", "docker-local"}}};
    auto back = json(repository).get<Repository>();
    CHECK(back.plugin_data == repository.plugin_data);
    CHECK_FALSE(json(Repository{"a"}).contains("plugin_data"));
    Probe probe;
    probe.url = "https://h";
    probe.may_request = true;
    CHECK(json(probe).get<Probe>().may_request);
    CHECK_FALSE(json::parse(R"({"url":"https://h"})").get<Probe>().may_request);
}

TEST_CASE("sdk host.discovery_note reaches the host") {
    FakeHost fake;
    fake.host().discovery_note("listing changed while read");
    REQUIRE(fake.notes.size() == 1);
    CHECK(fake.notes[0] == "listing changed while read");
}

TEST_SUITE_END();
