#include <doctest/doctest.h>

#include "acr_session.hpp"
#include "regscan/error.hpp"
#include "test_plugin_acr_fake_host.hpp"

using namespace regscan::acr;
using acr_test::Call;
using acr_test::field;
using acr_test::json_reply;
using acr_test::make_jwt;
using regscan::sdk::HttpResponse;

TEST_SUITE_BEGIN("acr");

namespace {

const std::string origin = "https://r.azurecr.io";

std::string challenge(const std::string& scope) {
    return R"(Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",scope=")" + scope + "\"";
}

// An ACR holding team/app (1.0, 1.1, 2.0) and tools/jq (1.7), listing two
// entries a page; each API call needs an access token for its own scope.
struct FakeAcr {
    bool acr_api = true;
    std::string token_scope(const Call& call) {
        auto header = call.header("Authorization");
        if (header.rfind("Bearer ", 0) != 0) return {};
        auto claims = jwt_claims(header.substr(7));
        return claims ? claims->value("scope", "") : "";
    }
    HttpResponse unauthorized(const std::string& scope) {
        return json_reply(401, {{"errors", {{{"code", "UNAUTHORIZED"}, {"message", "authentication required"}}}}},
                             {{"WWW-Authenticate", challenge(scope)}});
    }
    HttpResponse operator()(const Call& call) {
        const std::string path = call.path();
        if (call.method == "GET" && call.route() == "/oauth2/token")  // admin user's Basic
            return json_reply(200, {{"access_token", make_jwt({{"scope", field(call.fields(true), "scope")},
                                                                  {"exp", 4'000'000'000LL}})}});
        if (call.route().rfind("/acr/v1/", 0) == 0 && !acr_api) {
            HttpResponse none;
            none.status = 404;
            none.body = "404 page not found\n";
            return none;
        }
        if (call.route() == "/acr/v1/_catalog") {
            if (token_scope(call) != "registry:catalog:*") return unauthorized("registry:catalog:*");
            if (path == "/acr/v1/_catalog?n=100")
                return json_reply(200, {{"repositories", {"team/app", "tools/jq"}}},
                                     {{"Link", R"(</acr/v1/_catalog?last=tools/jq&n=2&orderby=>; rel="next")"}});
            if (path == "/acr/v1/_catalog?last=tools/jq&n=2&orderby=")
                return json_reply(200, {{"repositories", {"web/site"}}});
        }
        if (call.route() == "/acr/v1/team/app/_tags") {
            if (token_scope(call) != "repository:team/app:metadata_read")
                return unauthorized("repository:team/app:metadata_read");
            auto tag = [](const std::string& name) {
                return nlohmann::json{{"name", name}, {"digest", "sha256:" + std::string(64, name[0])},
                                      {"createdTime", "2020-01-01T00:00:00Z"}, {"lastUpdateTime", "2021-01-01T00:00:00Z"}};
            };
            if (path == "/acr/v1/team/app/_tags?n=100")
                return json_reply(200, {{"imageName", "team/app"}, {"tags", {tag("1.0"), tag("1.1")}}},
                                     {{"Link", R"(</acr/v1/team/app/_tags?last=1.1&n=2&orderby=>; rel="next")"}});
            if (path == "/acr/v1/team/app/_tags?last=1.1&n=2&orderby=")
                return json_reply(200, {{"imageName", "team/app"}, {"tags", {tag("2.0")}}});
        }
        if (call.route() == "/acr/v1/tools/jq/_tags")
            return json_reply(403, {{"errors", {{{"code", "DENIED"}, {"message", "requested access to the resource is denied"}}}}});
        if (call.route() == "/v2/_catalog") return json_reply(200, {{"repositories", {"team/app"}}});
        if (call.route() == "/v2/team/app/tags/list") return json_reply(200, {{"name", "team/app"}, {"tags", {"1.0"}}});
        HttpResponse none;
        none.status = 404;
        return none;
    }
};

struct Fixture {
    FakeAcr acr;
    acr_test::FakeHost fake{[this](const Call& call) { return acr(call); }};
    AcrSession session{fake.host(), origin, endpoint_for(origin), credentials()};

    std::shared_ptr<AcrCredentials> credentials() {
        AuthSettings settings;
        settings.mode = AuthMode::basic;
        settings.username = "admin";
        settings.password = "admin-pw";
        return std::make_shared<AcrCredentials>(fake.host(), settings, origin);
    }
};

}  // namespace

TEST_CASE("acr::endpoint_for is the registry's own origin and host") {
    auto endpoint = endpoint_for("https://Contoso.azurecr.io:8443/v2/");
    CHECK(endpoint.origin == "https://contoso.azurecr.io:8443");
    CHECK(endpoint.service == "contoso.azurecr.io");
}

TEST_CASE("acr::session lists every catalog page with a catalog-scoped token") {
    Fixture f;
    auto repositories = f.session.repositories();
    REQUIRE(repositories.size() == 3);
    CHECK(repositories[0].name == "team/app");
    CHECK(repositories[2].name == "web/site");
    CHECK(repositories[0].pull_base.empty());
    auto pages = f.fake.calls_to("GET", "/acr/v1/_catalog");
    REQUIRE(pages.size() == 2);
    for (const auto& page : pages) {
        CHECK((page.flags & REGSCAN_HTTP_REGISTRY_AUTH) == 0);
        CHECK(f.acr.token_scope(page) == "registry:catalog:*");
    }
}

TEST_CASE("acr::session lists tags over pages with digest and push time") {
    Fixture f;
    auto tags = f.session.tags({"team/app", {}, {}});
    REQUIRE(tags.size() == 3);
    CHECK(tags[0].tag == "1.0");
    CHECK(tags[2].tag == "2.0");
    CHECK(tags[2].digest == "sha256:" + std::string(64, '2'));
    CHECK(tags[2].pushed == "2021-01-01T00:00:00Z");
    CHECK(tags[2].created.empty());
    CHECK(f.fake.calls_to("GET", "/acr/v1/team/app/_tags").size() == 2);
    CHECK(f.fake.calls_to("GET", "/oauth2/token").size() == 1);  // the token served both pages
}

TEST_CASE("acr::session names the repository and ACR's answer when its tags fail") {
    Fixture f;
    try {
        f.session.tags({"tools/jq", {}, {}});
        FAIL("expected an error");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()) == "GET https://r.azurecr.io/acr/v1/tools/jq/_tags?n=100: HTTP 403 DENIED: "
                                       "requested access to the resource is denied");
    }
}

TEST_CASE("acr::session falls back to /v2/ listings, under the core's registry auth, on 404") {
    Fixture f;
    f.acr.acr_api = false;
    auto repositories = f.session.repositories();
    REQUIRE(repositories.size() == 1);
    CHECK(repositories[0].name == "team/app");
    auto catalog = f.fake.calls_to("GET", "/v2/_catalog");
    REQUIRE(catalog.size() == 1);
    CHECK((catalog[0].flags & REGSCAN_HTTP_REGISTRY_AUTH) != 0);
    auto tags = f.session.tags({"team/app", {}, {}});
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].tag == "1.0");
    CHECK((f.fake.calls_to("GET", "/v2/team/app/tags/list").at(0).flags & REGSCAN_HTTP_REGISTRY_AUTH) != 0);
    CHECK(f.fake.calls_to("GET", "/acr/v1/team/app/_tags").empty());
}

TEST_CASE("acr::session retries once with the scope of ACR's challenge") {
    Fixture f;
    // A token for the wrong scope is cached: the 401's challenge corrects it.
    auto credentials = f.credentials();
    credentials->authorization(endpoint_for(origin), "registry:catalog:*");
    AcrApi api(f.fake.host(), origin, endpoint_for(origin), credentials);
    f.fake.clear();
    CHECK(api.tags("team/app").size() == 3);
    auto tokens = f.fake.calls_to("GET", "/oauth2/token");
    REQUIRE(tokens.size() == 1);
    CHECK(field(tokens[0].fields(true), "scope") == "repository:team/app:metadata_read");
}

TEST_CASE("acr::session authorize answers Bearer challenges from its own token service only") {
    Fixture f;
    regscan::sdk::AuthRequest request;
    request.url = origin + "/v2/team/app/manifests/1.0";
    request.method = "GET";
    request.scope = "repository:team/app:pull";
    request.challenge_scheme = "Bearer";
    request.challenge_params = {{"realm", "https://attacker.example/oauth2/token"}, {"service", "r.azurecr.io"}};
    auto header = f.session.authorize(request);
    REQUIRE(header);
    CHECK(header->rfind("Bearer ", 0) == 0);
    auto tokens = f.fake.calls_to("GET", "/oauth2/token");
    REQUIRE(tokens.size() == 1);
    CHECK(tokens[0].url.rfind(origin + "/oauth2/token?service=r.azurecr.io&scope=repository%3Ateam%2Fapp%3Apull", 0) == 0);

    request.challenge_scheme = "Basic";
    CHECK_FALSE(f.session.authorize(request));
    request.challenge_scheme = "Bearer";
    request.scope.clear();
    CHECK_FALSE(f.session.authorize(request));
}

TEST_SUITE_END();
