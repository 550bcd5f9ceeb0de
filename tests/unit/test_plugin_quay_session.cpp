#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "quay_config.hpp"
#include "quay_identity.hpp"
#include "quay_session.hpp"
#include "regscan/error.hpp"
#include "regscan/testing/fake_host.hpp"

using namespace regscan::quay;
using fake_host::Call;
using regscan::sdk::HttpResponse;
using nlohmann::json;

namespace {

const std::string base = "https://quay.example";

using fake_host::json_reply;

HttpResponse api_error(long status, const std::string& message) {
    return json_reply(status, {{"detail", message}, {"error_message", message}, {"status", status}});
}

QuayConfig config(std::string username, std::string password, std::string token, std::vector<std::string> ns) {
    return QuayConfig{base, std::move(ns), std::move(username), std::move(password), std::move(token)};
}

regscan::sdk::Probe probe(const std::string& url, bool may_request) {
    regscan::sdk::Probe p;
    p.url = url;
    p.parsed = regscan::sdk::parse_url(url);
    p.ping_status = 401;
    p.may_request = may_request;
    return p;
}

// Quay's listRepos with a page of two and listRepoTags with a page of two.
HttpResponse quay_api(const Call& call) {
    const auto query = call.fields(true);
    if (call.route() == "/api/v1/repository") {
        if (fake_host::field(query, "namespace") == "hidden") return api_error(403, "Unauthorized");
        if (fake_host::field(query, "next_page").empty())
            return json_reply(200, {{"repositories", {{{"namespace", "acme"}, {"name", "api"}},
                                                  {{"namespace", "acme"}, {"name", "web"}}}},
                               {"next_page", "gAAAAAtoken+/="}});
        if (fake_host::field(query, "next_page") == "gAAAAAtoken+/=")
            return json_reply(200, {{"repositories", {{{"namespace", "acme"}, {"name", "worker"}}}}});
    }
    if (call.route() == "/api/v1/repository/acme/api/tag/") {
        if (fake_host::field(query, "page") == "1")
            return json_reply(200, {{"tags", {{{"name", "1.0"}, {"start_ts", 1704880800},
                                           {"manifest_digest", "sha256:" + std::string(64, 'a')}},
                                         {{"name", "latest"}, {"start_ts", 1710064800},
                                          {"manifest_digest", "sha256:" + std::string(64, 'b')}, {"is_manifest_list", true}}}},
                               {"page", 1}, {"has_additional", true}});
        return json_reply(200, {{"tags", {{{"name", "0.9"}, {"start_ts", 1600000000}}}}, {"page", 2}, {"has_additional", false}});
    }
    return api_error(404, "Not Found");
}

// /v2/ challenge, /v2/auth and /v2/_catalog of a Quay whose robot is acme+reader:ROBOT.
HttpResponse quay_registry(const Call& call, const std::string& realm = base + "/v2/auth") {
    if (call.route() == "/v2/")
        return json_reply(401, "true", {{"WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"quay.example\""}});
    if (call.route() == "/v2/auth") {
        if (call.header("Authorization") != "Basic YWNtZStyZWFkZXI6Uk9CT1Q=")  // acme+reader:ROBOT
            return json_reply(401, {{"errors", {{{"code", "UNAUTHORIZED"}, {"message", "Invalid Username or Password"}}}}});
        return json_reply(200, {{"token", "REGISTRYJWT"}});
    }
    if (call.route() == "/v2/_catalog") {
        if (call.header("Authorization") != "Bearer REGISTRYJWT") return json_reply(200, {{"repositories", json::array()}});
        if (fake_host::field(call.fields(true), "next_page").empty())
            return json_reply(200, {{"repositories", {"acme/api", "beta/tool"}}},
                         {{"Link", "<" + base + "/v2/_catalog?n=100&next_page=gAAAAAx>; rel=\"next\""}});
        return json_reply(200, {{"repositories", {"acme/web"}}});
    }
    return json_reply(404, {{"errors", json::array()}});
}

std::vector<std::string> names_of(const std::vector<regscan::sdk::Repository>& repositories) {
    std::vector<std::string> names;
    for (const auto& r : repositories) names.push_back(r.name);
    return names;
}

}  // namespace

TEST_SUITE_BEGIN("quay");

TEST_CASE("quay::identify_score: quay.io from its name, another host only by the second pass's probe") {
    fake_host::FakeHost fake([](const Call& call) {
        if (call.route() == "/api/v1/discovery")
            return json_reply(200, {{"swagger", "2.0"}, {"info", {{"title", "Quay Frontend"}}}});
        return json_reply(404, json::object());
    });
    CHECK(identify_score(fake.host(), probe("https://quay.io", true)) == url_score);
    CHECK(identify_score(fake.host(), probe("https://registry.corp", false)) == 0);
    CHECK(fake.calls.empty());
    CHECK(identify_score(fake.host(), probe("https://registry.corp/", true)) == probe_score);
    REQUIRE(fake.calls.size() == 1);
    CHECK(fake.calls[0].url == "https://registry.corp/api/v1/discovery");
    CHECK(fake.calls[0].header("Authorization").empty());
}

TEST_CASE("quay::identify_score: a discovery answer that is not Quay's scores 0") {
    for (const auto& answer : {json_reply(200, {{"swagger", "2.0"}, {"info", {{"title", "Harbor API"}}}}),
                               json_reply(404, json::object()), json_reply(200, json::array())}) {
        fake_host::FakeHost fake([&](const Call&) { return answer; });
        CHECK(identify_score(fake.host(), probe("https://registry.corp", true)) == 0);
    }
}

TEST_CASE("quay::QuaySession lists namespaces and tags through the API with the OAuth token") {
    fake_host::FakeHost fake([](const Call& call) {
        return call.route().rfind("/v2/", 0) == 0 ? quay_registry(call) : quay_api(call);
    });
    QuaySession session(fake.host(), config("acme+reader", "ROBOT", "OAUTH", {"acme"}), 0, 0);
    session.start();
    CHECK(session.listing() == Listing::api);
    CHECK(fake.is_secret("OAUTH"));
    CHECK(fake.is_secret("REGISTRYJWT"));

    auto repositories = session.repositories();
    CHECK(names_of(repositories) == std::vector<std::string>{"acme/api", "acme/web", "acme/worker"});
    auto listings = fake.calls_to("GET", "/api/v1/repository");
    REQUIRE(listings.size() == 2);
    CHECK(fake_host::field(listings[1].fields(true), "next_page") == "gAAAAAtoken+/=");
    for (const auto& call : listings) CHECK(call.header("Authorization") == "Bearer OAUTH");

    auto tags = session.tags(repositories[0]);
    REQUIRE(tags.size() == 3);
    CHECK(tags[0].tag == "latest");  // newest push first
    CHECK(tags[0].digest == "sha256:" + std::string(64, 'b'));
    CHECK(tags[0].pushed == "2024-03-10T10:00:00Z");
    CHECK(tags[2].tag == "0.9");
    auto pages = fake.calls_to("GET", "/api/v1/repository/acme/api/tag/");
    REQUIRE(pages.size() == 2);
    CHECK(fake_host::field(pages[0].fields(true), "onlyActiveTags") == "true");
    CHECK(fake_host::field(pages[0].fields(true), "limit") == "100");
    CHECK(fake_host::field(pages[1].fields(true), "page") == "2");
    CHECK_FALSE(session.pull_credentials());  // the robot pulls, through the core's flow
    CHECK_FALSE(fake.logged("OAUTH"));
    CHECK_FALSE(fake.logged("ROBOT"));
}

TEST_CASE("quay::QuaySession: a refused namespace is a discovery note, a refused token ends discovery") {
    fake_host::FakeHost fake(quay_api);
    QuaySession session(fake.host(), config("", "", "OAUTH", {"hidden", "acme"}), 0, 0);
    session.start();
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"acme/api", "acme/web", "acme/worker"});
    REQUIRE(fake.notes.size() == 1);
    CHECK(fake.notes[0].find("Quay namespace hidden") != std::string::npos);
    CHECK(fake.notes[0].find("HTTP 403") != std::string::npos);

    fake_host::FakeHost refusing([](const Call&) { return api_error(401, "Anonymous access is not available"); });
    QuaySession refused(refusing.host(), config("", "", "WRONG", {"acme"}), 0, 0);
    refused.start();
    try {
        (void)refused.repositories();
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("Quay refused the OAuth token") != std::string::npos);
    }
}

TEST_CASE("quay::QuaySession without an OAuth token lists /v2/_catalog with a scope-less robot token") {
    fake_host::FakeHost fake([](const Call& call) { return quay_registry(call); });
    QuaySession session(fake.host(), config("acme+reader", "ROBOT", "", {"acme"}), 0, 0);
    session.start();
    CHECK(session.listing() == Listing::catalog);
    auto logins = fake.calls_to("GET", "/v2/auth");
    REQUIRE(logins.size() == 1);
    CHECK(fake_host::field(logins[0].fields(true), "scope").empty());  // Quay refuses registry:catalog:*
    CHECK(fake_host::field(logins[0].fields(true), "service") == "quay.example");

    CHECK(names_of(session.repositories()) == std::vector<std::string>{"acme/api", "acme/web"});
    auto catalog = fake.calls_to("GET", "/v2/_catalog");
    REQUIRE(catalog.size() == 2);
    for (const auto& call : catalog) CHECK(call.header("Authorization") == "Bearer REGISTRYJWT");
    CHECK(fake.calls_to("GET", "/api/v1/repository").empty());
}

TEST_CASE("quay::QuaySession stops listing once it holds more than the core keeps") {
    fake_host::FakeHost fake(quay_api);
    QuaySession session(fake.host(), config("", "", "OAUTH", {"acme"}), 1, 0);
    session.start();
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"acme/api", "acme/web"});
    CHECK(fake.calls_to("GET", "/api/v1/repository").size() == 1);  // the second page is never read

    fake_host::FakeHost catalog([](const Call& call) { return quay_registry(call); });
    QuaySession robot(catalog.host(), config("acme+reader", "ROBOT", "", {"acme"}), 1, 0);
    robot.start();
    CHECK(names_of(robot.repositories()) == std::vector<std::string>{"acme/api", "acme/web"});
}

TEST_CASE("quay::QuaySession: refused robot credentials end the session at start") {
    fake_host::FakeHost fake([](const Call& call) { return quay_registry(call); });
    QuaySession session(fake.host(), config("acme+reader", "WRONG", "OAUTH", {"acme"}), 0, 0);
    try {
        session.start();
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("Quay refused the robot credentials of 'acme+reader'") != std::string::npos);
    }
    CHECK(fake.is_secret("Basic YWNtZStyZWFkZXI6V1JPTkc="));
}

TEST_CASE("quay::QuaySession: robot credentials never go to a realm on another origin") {
    fake_host::FakeHost fake([](const Call& call) { return quay_registry(call, "https://elsewhere.example/v2/auth"); });
    QuaySession session(fake.host(), config("acme+reader", "ROBOT", "", {"acme"}), 0, 0);
    CHECK_THROWS_AS(session.start(), regscan::sdk::Error);
    CHECK(fake.calls_to("https://elsewhere.example").empty());
}

TEST_CASE("quay::QuaySession: the OAuth token pulls as $oauthtoken, only through the registry's own realm") {
    fake_host::FakeHost fake(quay_api);
    QuaySession session(fake.host(), config("", "", "OAUTH", {"acme"}), 0, 0);
    session.start();
    auto credentials = session.pull_credentials();
    REQUIRE(credentials);
    CHECK(credentials->username == "$oauthtoken");
    CHECK(credentials->password == "OAUTH");

    regscan::sdk::AuthRequest own{base + "/v2/acme/api/manifests/1.0", "GET", "repository:acme/api:pull", "Bearer",
                                  {{"realm", base + "/v2/auth"}, {"service", "quay.example"}}};
    CHECK_FALSE(session.authorize(own));
    auto foreign = own;
    foreign.challenge_params["realm"] = "https://collector.example/token";
    CHECK_THROWS_AS(session.authorize(foreign), regscan::sdk::Error);
}

TEST_SUITE_END();
