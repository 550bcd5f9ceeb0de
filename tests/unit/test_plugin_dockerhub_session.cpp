#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "hub_login.hpp"
#include "hub_session.hpp"
#include "regscan/error.hpp"
#include "regscan/paging.hpp"
#include "test_plugin_dockerhub_fake_host.hpp"

using namespace regscan::dockerhub;
using dockerhub_test::Call;
using dockerhub_test::FakeHost;
using dockerhub_test::json_reply;
using nlohmann::json;
using regscan::sdk::HttpResponse;

namespace {

const std::string api = "http://hub.test";
const std::string registry = "http://registry.test";
const std::string pat = "dckr_pat_unit-test-secret";

std::string base64url(const std::string& data) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : data) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(buffer >> bits) & 63];
        }
    }
    if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 63];
    return out;
}

std::string make_jwt(std::int64_t exp, int serial) {
    return base64url(R"({"alg":"RS256","typ":"JWT"})") + "." +
           base64url(json{{"sub", "alice"}, {"exp", exp}, {"jti", serial}}.dump()) + ".c2lnbmF0dXJl" +
           std::to_string(serial);
}

std::int64_t in_ten_minutes() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               (std::chrono::system_clock::now() + std::chrono::minutes(10)).time_since_epoch())
        .count();
}

// A Docker Hub API with namespaces acme (3 repositories, 2 per page) and
// library (1), user alice with a personal access token.
struct FakeHub {
    FakeHost fake;
    bool has_auth_token_route = true;
    bool has_namespaces_route = true;
    std::set<std::string> valid;  // "Bearer <jwt>" values the API accepts
    int logins = 0;
    json login_refusal = {{"detail", "Incorrect authentication credentials"}};
    // The host refuses login requests as it does past a listing's bounds.
    bool logins_cut = false;

    FakeHub() {
        fake.route = [this](const Call& call) { return answer(call); };
    }

    std::string issue() {
        auto jwt = make_jwt(in_ten_minutes(), ++logins);
        valid.insert("Bearer " + jwt);
        return jwt;
    }

    HttpResponse answer(const Call& call) {
        if (call.method == "POST" && logins_cut) {
            HttpResponse refused;
            refused.error = std::string(regscan::sdk::listing_limit_marker) + "more than 2 requests";
            return refused;
        }
        if (call.method == "POST" && call.url == api + "/v2/auth/token") {
            if (!has_auth_token_route) return json_reply(404, {{"message", "not found"}});
            auto body = json::parse(call.body);
            if (body.value("identifier", "") != "alice" || body.value("secret", "") != pat)
                return json_reply(401, login_refusal);
            return json_reply(200, {{"access_token", issue()}});
        }
        if (call.method == "POST" && call.url == api + "/v2/users/login") {
            auto body = json::parse(call.body);
            if (body.value("username", "") != "alice" || body.value("password", "") != pat)
                return json_reply(401, login_refusal);
            return json_reply(200, {{"token", issue()}});
        }
        if (call.method == "HEAD" && call.url.rfind(registry + "/v2/", 0) == 0)
            return json_reply(200, nullptr, {{"ratelimit-limit", "200;w=21600"}, {"ratelimit-remaining", "150;w=21600"}});
        auto authorization = call.header("Authorization");
        if (!authorization.empty() && !valid.count(authorization))
            return json_reply(401, {{"errinfo", nullptr}, {"message", "unauthorized"}});
        const bool private_ok = !authorization.empty();

        std::map<std::string, HttpResponse> pages;
        const std::string ns = api + "/v2/namespaces/";
        if (has_namespaces_route) {
            pages[ns + "acme/repositories?page_size=100"] =
                json_reply(200, {{"count", 3}, {"next", ns + "acme/repositories?page=2&page_size=100"}, {"previous", nullptr},
                            {"results", {{{"name", "web"}, {"namespace", "acme"}}, {{"name", "api"}, {"namespace", "acme"}}}}});
            pages[ns + "acme/repositories?page=2&page_size=100"] = json_reply(
                200, {{"count", 3}, {"next", nullptr}, {"previous", ns + "acme/repositories?page_size=100"},
                      {"results", private_ok ? json{{{"name", "internal"}, {"is_private", true}}} : json::array()}});
            pages[ns + "library/repositories?page_size=100"] =
                json_reply(200, {{"count", 1}, {"next", nullptr}, {"results", {{{"name", "alpine"}}}}});
        }
        pages[api + "/v2/repositories/acme/?page_size=100"] =
            json_reply(200, {{"count", 1}, {"next", nullptr}, {"results", {{{"name", "legacy"}}}}});
        pages[ns + "acme/repositories/api/tags?page_size=100"] =
            json_reply(200, {{"count", 3},
                        {"next", "/v2/namespaces/acme/repositories/api/tags?page=2&page_size=100"},
                        {"results",
                         {{{"name", "1.0"}, {"digest", "sha256:10"}, {"last_updated", "2023-01-01T00:00:00.000001Z"}},
                          {{"name", "2.0"}, {"digest", "sha256:20"}, {"last_updated", "2024-06-01T00:00:00Z"}}}}});
        pages[ns + "acme/repositories/api/tags?page=2&page_size=100"] =
            json_reply(200, {{"count", 3}, {"next", nullptr},
                        {"results", {{{"name", "latest"}, {"digest", "sha256:99"},
                                      {"last_updated", "2025-02-03T04:05:06.789Z"},
                                      {"media_type", "application/vnd.oci.image.index.v1+json"}}}}});
        pages[api + "/v2/repositories/acme/legacy/tags/?page_size=100"] =
            json_reply(200, {{"count", 1}, {"next", nullptr}, {"results", {{{"name", "v1"}}}}});
        auto it = pages.find(call.url);
        if (it == pages.end()) return json_reply(404, {{"errinfo", nullptr}, {"message", "not found"}});
        return it->second;
    }

    HubSession session(std::vector<std::string> namespaces, bool with_credentials = true) {
        HubConfig config{api, registry, std::move(namespaces), with_credentials ? "alice" : "",
                         with_credentials ? pat : ""};
        return HubSession(fake.host(), config);
    }
};

std::vector<std::string> names_of(const std::vector<regscan::sdk::Repository>& repositories) {
    std::vector<std::string> names;
    for (const auto& r : repositories) names.push_back(r.name);
    return names;
}

std::vector<std::string> tags_of(const std::vector<regscan::sdk::TagInfo>& tags) {
    std::vector<std::string> names;
    for (const auto& t : tags) names.push_back(t.tag);
    return names;
}

regscan_status status_of(const std::function<void()>& body, std::string* message = nullptr) {
    try {
        body();
    } catch (const regscan::sdk::Error& e) {
        if (message) *message = e.what();
        return e.status();
    }
    return REGSCAN_OK;
}

}  // namespace

TEST_SUITE_BEGIN("dockerhub");

TEST_CASE("dockerhub::HubSession logs in with /v2/auth/token and calls the API with the JWT") {
    FakeHub hub;
    auto session = hub.session({"acme"});
    session.log_in();
    auto logins = hub.fake.calls_to(api + "/v2/auth/token");
    REQUIRE(logins.size() == 1);
    CHECK(json::parse(logins[0].body) == json{{"identifier", "alice"}, {"secret", pat}});
    CHECK(logins[0].header("Content-Type") == "application/json");
    CHECK(hub.fake.logged(REGSCAN_LOG_INFO).at(0) == "Logged in to the Docker Hub API as alice (/v2/auth/token)");

    auto repositories = session.repositories();
    CHECK(names_of(repositories) == std::vector<std::string>{"acme/api", "acme/internal", "acme/web"});
    CHECK(repositories[0].pull_base == registry);
    CHECK(repositories[0].pull_name == "acme/api");
    for (const auto& call : hub.fake.calls_to(api + "/v2/namespaces/")) {
        CHECK(hub.valid.count(call.header("Authorization")) == 1);
        CHECK((call.flags & REGSCAN_HTTP_REGISTRY_AUTH) == 0);
    }
    // Both the token and the PAT are secrets; a second listing logs in no more.
    const std::string jwt = hub.valid.begin()->substr(7);
    CHECK(std::count(hub.fake.secrets.begin(), hub.fake.secrets.end(), pat) >= 1);
    CHECK(std::count(hub.fake.secrets.begin(), hub.fake.secrets.end(), jwt) == 1);
    (void)session.repositories();
    CHECK(hub.logins == 1);
}

TEST_CASE("dockerhub::HubSession falls back to /v2/users/login where /v2/auth/token is missing") {
    FakeHub hub;
    hub.has_auth_token_route = false;
    auto session = hub.session({"acme"});
    session.log_in();
    auto logins = hub.fake.calls_to(api + "/v2/users/login");
    REQUIRE(logins.size() == 1);
    CHECK(json::parse(logins[0].body) == json{{"username", "alice"}, {"password", pat}});
    CHECK(names_of(session.repositories()).size() == 3);
}

TEST_CASE("dockerhub::HubSession refuses wrong credentials as AUTH_FAILED without echoing secrets") {
    FakeHub hub;
    HubConfig config{api, registry, {"acme"}, "alice", "dckr_pat_wrong"};
    HubSession session(hub.fake.host(), config);
    std::string message;
    CHECK(status_of([&] { session.log_in(); }, &message) == REGSCAN_AUTH_FAILED);
    CHECK(message.find("Docker Hub refused the credentials of 'alice'") != std::string::npos);
    CHECK(message.find("HTTP 401: Incorrect authentication credentials") != std::string::npos);
    CHECK(message.find("dckr_pat_wrong") == std::string::npos);
    // Refused by the documented route: the deprecated one is not tried.
    CHECK(hub.fake.calls_to(api + "/v2/users/login").empty());
}

TEST_CASE("dockerhub::HubSession explains two-factor refusals and hides their login token") {
    FakeHub hub;
    hub.has_auth_token_route = false;
    hub.login_refusal = {{"detail", "Require secondary authentication on MFA enabled account"},
                         {"login_2fa_token", "2fa-intermediate-token"}};
    HubConfig config{api, registry, {"acme"}, "alice", "the-password"};
    HubSession session(hub.fake.host(), config);
    std::string message;
    CHECK(status_of([&] { session.log_in(); }, &message) == REGSCAN_AUTH_FAILED);
    CHECK(message.find("two-factor authentication: give a personal access token") != std::string::npos);
    CHECK(message.find("2fa-intermediate-token") == std::string::npos);
    CHECK(std::count(hub.fake.secrets.begin(), hub.fake.secrets.end(), "2fa-intermediate-token") == 1);
}

TEST_CASE("dockerhub::HubSession lists several namespaces, following next") {
    FakeHub hub;
    auto session = hub.session({"library", "acme"});
    CHECK(names_of(session.repositories()) ==
          std::vector<std::string>{"library/alpine", "acme/api", "acme/internal", "acme/web"});
    CHECK(hub.fake.calls_to(api + "/v2/namespaces/acme/repositories").size() == 2);
}

TEST_CASE("dockerhub::HubSession without credentials sends no Authorization and sees public repositories") {
    FakeHub hub;
    auto session = hub.session({"acme"}, false);
    session.log_in();
    CHECK(hub.logins == 0);
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"acme/api", "acme/web"});
    for (const auto& call : hub.fake.calls) CHECK(call.header("Authorization").empty());
    auto infos = hub.fake.logged(REGSCAN_LOG_INFO);
    CHECK(std::find(infos.begin(), infos.end(), "Docker Hub namespace acme: 2 repositories (public only: no "
                                                "credentials given)") != infos.end());
}

TEST_CASE("dockerhub::HubSession falls back to /v2/repositories/{ns}/ where the namespaces route is missing") {
    FakeHub hub;
    hub.has_namespaces_route = false;
    auto session = hub.session({"acme"});
    auto repositories = session.repositories();
    CHECK(names_of(repositories) == std::vector<std::string>{"acme/legacy"});
    CHECK(tags_of(session.tags(repositories[0])) == std::vector<std::string>{"v1"});
}

TEST_CASE("dockerhub::HubSession names an unknown namespace") {
    FakeHub hub;
    auto session = hub.session({"acme", "nobody"});
    std::string message;
    CHECK(status_of([&] { (void)session.repositories(); }, &message) == REGSCAN_NOT_FOUND);
    CHECK(message.find("Docker Hub namespace 'nobody' not found") != std::string::npos);
    CHECK(message.find("/v2/namespaces/nobody/repositories") != std::string::npos);
}

TEST_CASE("dockerhub::HubSession lists tags newest first, without a registry request") {
    FakeHub hub;
    auto session = hub.session({"acme"});
    regscan::sdk::Repository api_repo{"acme/api", registry, "acme/api"};
    auto tags = session.tags(api_repo);
    CHECK(tags_of(tags) == std::vector<std::string>{"latest", "2.0", "1.0"});
    CHECK(tags[0].digest == "sha256:99");
    CHECK(tags[0].pushed == "2025-02-03T04:05:06.789Z");
    CHECK(tags[0].media_type == "application/vnd.oci.image.index.v1+json");
    // The pull limit is read when the session opens: a request here would
    // spend the listing's budget.
    CHECK(hub.fake.calls_to(registry).empty());
}

TEST_CASE("dockerhub::HubSession reads the pull limit from Docker's probe image") {
    FakeHub hub;
    auto session = hub.session({"acme"});
    session.log_pull_quota();
    auto heads = hub.fake.calls_to(registry);
    REQUIRE(heads.size() == 1);
    CHECK(heads[0].method == "HEAD");
    CHECK(heads[0].url == registry + "/v2/ratelimitpreview/test/manifests/latest");
    CHECK(heads[0].header("Accept").find("application/vnd.docker.distribution.manifest.v1+prettyjws") !=
          std::string::npos);
    CHECK((heads[0].flags & REGSCAN_HTTP_REGISTRY_AUTH) != 0);
    CHECK((heads[0].flags & REGSCAN_HTTP_NO_RETRY) != 0);
    CHECK(heads[0].timeout == default_pull_limit_timeout);  // the host ends it there, token request included
    auto infos = hub.fake.logged(REGSCAN_LOG_INFO);
    CHECK(std::find(infos.begin(), infos.end(),
                    "Docker Hub pull rate limit for this account: 150 of 200 pulls left per 6 h window") != infos.end());
}

TEST_CASE("dockerhub::HubSession sends no pull-limit probe to a mirror") {
    FakeHub hub;
    HubConfig config{api, registry, {"acme"}, "alice", pat};
    config.pulls_from_mirror = true;
    HubSession session(hub.fake.host(), config);
    session.log_pull_quota();
    CHECK(hub.fake.calls_to(registry).empty());
    auto infos = hub.fake.logged(REGSCAN_LOG_INFO);
    REQUIRE(infos.size() == 1);
    CHECK(infos[0] == "Docker Hub pull rate limit not read: images are read from " + registry +
                          " (--hub-registry), a mirror whose limits are not Docker Hub's");
}

TEST_CASE("dockerhub::HubSession opens without the pull limit when the probe outlasts its bound") {
    FakeHub hub;
    auto answer = hub.fake.route;
    hub.fake.route = [&](const Call& call) {
        // A Docker Hub that never answers the probe: the host ends the call at
        // its timeout with no answer, as the core does (one without a timeout is answered).
        if (call.method == "HEAD" && call.timeout.count() > 0) {
            std::this_thread::sleep_for(call.timeout);
            HttpResponse none;
            none.error = "timed out: the deadline passed";
            return none;
        }
        return answer(call);
    };
    HubConfig config{api, registry, {"acme"}, "alice", pat};
    config.pull_limit_timeout = std::chrono::milliseconds(50);
    HubSession session(hub.fake.host(), config);
    session.log_pull_quota();
    auto heads = hub.fake.calls_to(registry);
    REQUIRE(heads.size() == 1);
    CHECK(heads[0].timeout == std::chrono::milliseconds(50));
    CHECK(hub.fake.logged("Docker Hub pull rate limit not read: HEAD " + registry +
                          "/v2/ratelimitpreview/test/manifests/latest gave no answer within 50 ms "
                          "(--pull-limit-timeout); the run goes on without it"));
    CHECK_FALSE(hub.fake.logged("pulls left"));
}

TEST_CASE("dockerhub::HubSession sends no pull-limit probe through a core that cannot bound it") {
    FakeHub hub;
    regscan_host_api older = *hub.fake.host().raw();
    older.abi_minor = 3;  // SDK 1.3: HttpRequest::timeout is not read
    HubSession session(regscan::sdk::Host(&older), HubConfig{api, registry, {"acme"}, "alice", pat});
    session.log_pull_quota();
    CHECK(hub.fake.calls_to(registry).empty());
    CHECK(hub.fake.logged("Docker Hub pull rate limit not read: this regscan cannot bound the probe by "
                          "--pull-limit-timeout (it needs plugin SDK 1.4)"));
}

TEST_CASE("dockerhub::HubSession keeps the pages read when a token renewal mid-listing is cut") {
    FakeHub hub;
    auto session = hub.session({"acme"});
    session.log_in();
    const std::string tags_first = api + "/v2/namespaces/acme/repositories/api/tags?page_size=100";
    const std::string repositories_first = api + "/v2/namespaces/acme/repositories?page_size=100";
    // Docker Hub expires the token after the first page; the host refuses the renewal at the listing's bounds.
    hub.fake.route = [&](const Call& call) {
        auto reply = hub.answer(call);
        if (call.url == tags_first || call.url == repositories_first) {
            hub.valid.clear();
            hub.logins_cut = true;
        }
        return reply;
    };
    regscan::sdk::Repository api_repo{"acme/api", registry, "acme/api"};
    CHECK(tags_of(session.tags(api_repo)) == std::vector<std::string>{"2.0", "1.0"});
    CHECK(hub.fake.calls_to(api + "/v2/namespaces/acme/repositories/api/tags?page=2").size() == 1);

    hub.logins_cut = false;
    CHECK(names_of(session.repositories()) == std::vector<std::string>{"acme/api", "acme/web"});
    auto infos = hub.fake.logged(REGSCAN_LOG_INFO);
    CHECK(std::find(infos.begin(), infos.end(),
                    "Docker Hub namespace acme: 2 repositories read before the listing was cut short") != infos.end());
    CHECK(hub.fake.calls_to(api + "/v2/namespaces/acme/repositories?page=2").size() == 1);
}

TEST_CASE("dockerhub::HubSession logs in again once when the API refuses an expired token") {
    FakeHub hub;
    auto session = hub.session({"acme"});
    session.log_in();
    hub.valid.clear();  // Docker Hub has expired the token early
    CHECK(names_of(session.repositories()).size() == 3);
    CHECK(hub.logins == 2);
}

TEST_CASE("dockerhub::HubSession says which API limit a final 429 hit") {
    FakeHub hub;
    hub.fake.route = [](const Call&) {
        return json_reply(429, {{"detail", "Rate limit exceeded"}},
                     {{"X-RateLimit-Limit", "180"}, {"X-RateLimit-Remaining", "0"}, {"Retry-After", "30"}});
    };
    auto session = hub.session({"acme"}, false);
    std::string message;
    CHECK(status_of([&] { (void)session.repositories(); }, &message) == REGSCAN_ERROR);
    CHECK(message.find("Docker Hub API rate limit reached (180 requests per minute); retry after 30 s") !=
          std::string::npos);
}

TEST_CASE("dockerhub::jwt_expiry reads exp without trusting the token") {
    CHECK(jwt_expiry(make_jwt(1700000000, 1)) == 1700000000);
    CHECK_FALSE(jwt_expiry("not-a-jwt"));
    CHECK_FALSE(jwt_expiry(base64url("{}") + "." + base64url(R"({"sub":"x"})") + ".sig"));
    CHECK_FALSE(jwt_expiry("a.%%%.c"));
}

TEST_SUITE_END();
