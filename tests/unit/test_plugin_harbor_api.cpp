#include <doctest/doctest.h>

#include "harbor_api.hpp"
#include "regscan/base64.hpp"
#include "regscan/error.hpp"
#include "test_plugin_harbor_fake_host.hpp"

using namespace regscan::harbor;
using namespace harbor_test;
using nlohmann::json;

namespace {

const std::string route = "/api/v2.0/projects";

HarborConfig config_with(int page_size, std::string username = "robot$team+ci", std::string password = "s3cret$pw") {
    HarborConfig config;
    config.base = "https://harbor.example.com";
    config.username = std::move(username);
    config.password = std::move(password);
    config.page_size = page_size;
    return config;
}

json names(int count) {
    json items = json::array();
    for (int i = 0; i < count; ++i) items.push_back({{"name", "p" + std::to_string(i)}});
    return items;
}

std::vector<std::string> walk_names(const HarborApi& api, Listing* listing = nullptr) {
    std::vector<std::string> seen;
    auto result = api.walk("projects", {}, [&](const json& item) { seen.push_back(item.at("name").get<std::string>()); });
    if (listing) *listing = result;
    return seen;
}

}  // namespace

TEST_SUITE_BEGIN("harbor");

TEST_CASE("harbor::repository_segment encodes '/' twice, as Harbor's router needs") {
    CHECK(repository_segment("app") == "app");
    CHECK(repository_segment("team/app") == "team%252Fapp");
    CHECK(repository_segment("a/b/c") == "a%252Fb%252Fc");
    CHECK(repository_segment("a b") == "a%2520b");
    CHECK(project_segment("my.proj_1-x") == "my.proj_1-x");
}

TEST_CASE("harbor::basic_authorization keeps a robot account's '$' and '+' intact") {
    auto header = basic_authorization("robot$team+ci", "p@ss:w$rd");
    REQUIRE(header.rfind("Basic ", 0) == 0);
    CHECK(regscan::sdk::base64_decode(header.substr(6)) == std::optional<std::string>("robot$team+ci:p@ss:w$rd"));
    CHECK(basic_authorization("", "").empty());
}

TEST_CASE("harbor::total_count reads X-Total-Count when it is a plain number") {
    CHECK(total_count(json_reply(200, json::array(), {{"X-Total-Count", "42"}})) == std::optional<long long>(42));
    CHECK(total_count(json_reply(200, json::array(), {{"x-total-count", " 7 "}})) == std::optional<long long>(7));
    CHECK_FALSE(total_count(json_reply(200, json::array(), {{"X-Total-Count", "-1"}})));
    CHECK_FALSE(total_count(json_reply(200, json::array(), {{"X-Total-Count", "1e3"}})));
    CHECK_FALSE(total_count(json_reply(200, json::array(), {{"X-Total-Count", "9999999999999999999999"}})));
    CHECK_FALSE(total_count(json_reply(200, json::array())));
}

TEST_CASE("harbor::HarborApi::walk follows Link over every page with the same credentials") {
    FakeHost fake;
    const json items = names(5);
    fake.route = [&](const Call& call) { return page_of(items, route, page_number(call), 2); };
    HarborApi api(fake.host(), config_with(2));
    Listing listing;
    CHECK(walk_names(api, &listing) == std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"});
    CHECK(listing.pages == 3);
    CHECK(listing.items == 5);
    CHECK_FALSE(listing.total_changed);
    REQUIRE(fake.calls.size() == 3);
    const auto expected = basic_authorization("robot$team+ci", "s3cret$pw");
    for (size_t i = 0; i < fake.calls.size(); ++i) {
        CHECK(fake.calls[i].route() == route);
        CHECK(query_value(fake.calls[i], "page") == std::to_string(i + 1));
        CHECK(query_value(fake.calls[i], "page_size") == "2");
        CHECK(fake.calls[i].header("Authorization") == expected);
        CHECK(fake.calls[i].header("Accept") == "application/json");
    }
    CHECK(fake.is_secret(expected));
    CHECK(fake.is_secret(expected.substr(6)));
    CHECK_FALSE(fake.all_logs().find(expected.substr(6)) != std::string::npos);
}

TEST_CASE("harbor::HarborApi::walk goes on by X-Total-Count when a proxy dropped Link") {
    FakeHost fake;
    const json items = names(4);
    fake.route = [&](const Call& call) { return page_of(items, route, page_number(call), 2, false); };
    HarborApi api(fake.host(), config_with(2));
    CHECK(walk_names(api) == std::vector<std::string>{"p0", "p1", "p2", "p3"});
    CHECK(fake.calls.size() == 2);
}

TEST_CASE("harbor::HarborApi::walk notices X-Total-Count changing between pages") {
    FakeHost fake;
    json items = names(4);
    fake.route = [&](const Call& call) {
        int page = page_number(call);
        if (page == 2) items.insert(items.begin(), json{{"name", "new"}});  // a push between the pages
        return page_of(items, route, page, 2);
    };
    HarborApi api(fake.host(), config_with(2));
    Listing listing;
    auto seen = walk_names(api, &listing);
    CHECK(seen == std::vector<std::string>{"p0", "p1", "p1", "p2", "p3"});
    CHECK(listing.total_changed);
    CHECK(listing.first_total == std::optional<long long>(4));
    CHECK(listing.last_total == std::optional<long long>(5));
    CHECK(listing.total_change() == "4 -> 5");
}

TEST_CASE("harbor::HarborApi::walk turns Harbor's refusals into statuses naming the URL") {
    FakeHost fake;
    fake.route = [](const Call&) { return harbor_error(403, "FORBIDDEN", "forbidden"); };
    HarborApi api(fake.host(), config_with(100));
    try {
        walk_names(api);
        FAIL("no error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("https://harbor.example.com/api/v2.0/projects?page=1&page_size=100") !=
              std::string::npos);
        CHECK(std::string(e.what()).find("FORBIDDEN") != std::string::npos);
        CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
    }
    fake.route = [](const Call&) { return harbor_error(422, "UNPROCESSABLE_ENTITY", "page_size"); };
    CHECK_THROWS_AS(walk_names(api), regscan::sdk::Error);
}

TEST_CASE("harbor::HarborApi::walk refuses a page that is not a JSON array and a Link to another origin") {
    FakeHost fake;
    fake.route = [](const Call&) { return json_reply(200, {{"name", "x"}}); };
    HarborApi api(fake.host(), config_with(2));
    CHECK_THROWS_AS(walk_names(api), regscan::sdk::Error);

    fake.route = [](const Call&) {
        return json_reply(200, names(2), {{"X-Total-Count", "4"},
                                     {"Link", "<https://elsewhere.example/api/v2.0/projects?page=2>; rel=\"next\""}});
    };
    fake.clear();
    CHECK_THROWS_AS(walk_names(api), regscan::sdk::Error);
    CHECK(fake.calls.size() == 1);
}

TEST_CASE("harbor::HarborApi::walk sends no Authorization without credentials") {
    FakeHost fake;
    fake.route = [&](const Call& call) { return page_of(names(1), route, page_number(call), 100); };
    HarborApi api(fake.host(), config_with(100, "", ""));
    CHECK(walk_names(api) == std::vector<std::string>{"p0"});
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].header("Authorization").empty());
}

TEST_SUITE_END();
