#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "quay_config.hpp"
#include "quay_identity.hpp"
#include "quay_registry_login.hpp"
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

TEST_CASE("quay::QuaySession: a 403 that quotes \": HTTP 401\" in its body costs that namespace only") {
    fake_host::FakeHost fake([](const Call& call) {
        if (fake_host::field(call.fields(true), "namespace") == "hidden")
            return api_error(403, "upstream said: HTTP 401 Unauthorized");
        return quay_api(call);
    });
    QuaySession session(fake.host(), config("", "", "OAUTH", {"hidden", "acme"}), 0, 0);
    session.start();
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"acme/api", "acme/web", "acme/worker"});
    REQUIRE(fake.notes.size() == 1);
    CHECK(fake.notes[0].find("Quay namespace hidden could not be listed") != std::string::npos);
    CHECK(fake.notes[0].find("HTTP 403") != std::string::npos);
}

TEST_CASE("quay::QuaySession: an over-long next_page token ends that namespace's listing, keeping its pages") {
    const std::string long_token = "gAAAAA" + std::string(max_page_token, 'x');
    fake_host::FakeHost fake([&](const Call& call) {
        auto query = call.fields(true);
        if (call.route() == "/api/v1/repository" && fake_host::field(query, "namespace") == "long") {
            if (fake_host::field(query, "next_page").empty())
                return json_reply(200, {{"repositories", {{{"namespace", "long"}, {"name", "one"}}}},
                                        {"next_page", long_token}});
            return json_reply(200, {{"repositories", {{{"namespace", "long"}, {"name", "two"}}}}});
        }
        return quay_api(call);
    });
    QuaySession session(fake.host(), config("", "", "OAUTH", {"long", "acme"}), 0, 0);
    session.start();
    CHECK(names_of(session.repositories()) ==
          std::vector<std::string>{"long/one", "acme/api", "acme/web", "acme/worker"});
    std::vector<Call> long_pages;
    for (const auto& call : fake.calls_to("GET", "/api/v1/repository"))
        if (fake_host::field(call.fields(true), "namespace") == "long") long_pages.push_back(call);
    CHECK(long_pages.size() == 1);
    REQUIRE(fake.notes.size() == 1);
    CHECK(fake.notes[0].find("Quay namespace long: its listing's next_page token is " +
                             std::to_string(long_token.size()) + " bytes (at most 4096), so it ends after 1 page") !=
          std::string::npos);

    // At the bound, the token is followed.
    fake.calls.clear();
    fake.notes.clear();
    const std::string fits(max_page_token, 'y');
    fake.route = [&](const Call& call) {
        auto query = call.fields(true);
        if (fake_host::field(query, "next_page").empty())
            return json_reply(200, {{"repositories", {{{"namespace", "acme"}, {"name", "api"}}}}, {"next_page", fits}});
        return json_reply(200, {{"repositories", {{{"namespace", "acme"}, {"name", "web"}}}}});
    };
    QuaySession fitting(fake.host(), config("", "", "OAUTH", {"acme"}), 0, 0);
    fitting.start();
    CHECK(names_of(fitting.repositories()) == std::vector<std::string>{"acme/api", "acme/web"});
    CHECK(fake.notes.empty());
}

TEST_CASE("quay::QuaySession: a realm token no header may carry is refused, never sent") {
    const std::string too_long(max_registry_token + 1, 'a');
    for (const std::string& hostile : {std::string("REGISTRYJWT\r\nX-Injected: 1"), std::string("JWT\tx"),
                                       std::string("JWT x"), std::string("JWT\x7f"), std::string("JWT\xc3\xa9"),
                                       too_long}) {
        fake_host::FakeHost fake([&](const Call& call) {
            if (call.route() == "/v2/auth" && call.header("Authorization") == "Basic YWNtZStyZWFkZXI6Uk9CT1Q=")
                return json_reply(200, {{"token", hostile}});
            return quay_registry(call);
        });
        QuaySession session(fake.host(), config("acme+reader", "ROBOT", "", {"acme"}), 0, 0);
        try {
            session.start();
            FAIL("expected an error");
        } catch (const regscan::sdk::Error& e) {
            CHECK(e.status() == REGSCAN_ERROR);
            std::string what = e.what();
            CHECK(what.find("the token Quay answered") != std::string::npos);
            CHECK(what.find(hostile.substr(0, 11)) == std::string::npos);
        }
        CHECK(fake.calls_to("GET", "/v2/_catalog").empty());
    }
    // The longest token allowed is used.
    const std::string longest(max_registry_token, 'a');
    fake_host::FakeHost fake([&](const Call& call) {
        if (call.route() == "/v2/auth") return json_reply(200, {{"token", longest}});
        return quay_registry(call);
    });
    QuaySession session(fake.host(), config("acme+reader", "ROBOT", "", {"acme"}), 0, 0);
    session.start();
    (void)session.repositories();
    auto catalog = fake.calls_to("GET", "/v2/_catalog");
    REQUIRE_FALSE(catalog.empty());
    CHECK(catalog[0].header("Authorization") == "Bearer " + longest);
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
