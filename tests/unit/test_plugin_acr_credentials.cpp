#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "acr_credentials.hpp"
#include "regscan/error.hpp"
#include "test_plugin_acr_fake_host.hpp"

using namespace regscan::acr;
using namespace std::chrono_literals;
using acr_test::Call;
using acr_test::field;
using acr_test::json_reply;
using acr_test::make_jwt;
using regscan::sdk::HttpResponse;

TEST_SUITE_BEGIN("acr");

namespace {

const AcrEndpoint endpoint{"https://r.azurecr.io", "r.azurecr.io"};
const std::string secret = "Sp~client-secret-value";

long long epoch(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

// Entra ID, IMDS and ACR's token service, answering as documented; the clock
// is the test's, so tokens expire when a test says so.
struct FakeAzure {
    std::mutex mutex;
    TimePoint now{std::chrono::seconds(1'700'000'000)};
    bool basic_ok = false;
    int refuse_refresh = 0;  // POST /oauth2/token answers 401 this many times
    std::string v2_challenge = R"(Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io")";
    int issued = 0;

    TimePoint clock() {
        std::lock_guard lock(mutex);
        return now;
    }
    void advance(std::chrono::seconds by) {
        std::lock_guard lock(mutex);
        now += by;
    }
    std::string jwt(nlohmann::json claims, std::chrono::seconds lifetime) {
        claims["exp"] = epoch(now + lifetime);
        claims["n"] = ++issued;
        return make_jwt(claims);
    }

    HttpResponse operator()(const Call& call) {
        std::lock_guard lock(mutex);
        const std::string route = call.route();
        if (call.method == "GET" && call.url.rfind("https://r.azurecr.io/oauth2/token?", 0) == 0) {
            if (basic_ok && call.header("Authorization") == "Basic " + base64_encode("admin:admin-pw"))
                return json_reply(200, {{"access_token", jwt({{"scope", field(call.fields(true), "scope")}}, 75min)}});
            return json_reply(401, {{"errors", {{{"code", "UNAUTHORIZED"}, {"message", "authentication required"}}}}});
        }
        if (call.method == "POST" && call.url == "https://login.test/tenant-1/oauth2/v2.0/token") {
            if (field(call.fields(), "client_secret") != secret)
                return json_reply(401, {{"error", "invalid_client"},
                                           {"error_description", "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x"}});
            return json_reply(200, {{"token_type", "Bearer"}, {"expires_in", 3599},
                                       {"access_token", jwt({{"tid", "tenant-1"}, {"aud", "https://management.azure.com/"}}, 3599s)}});
        }
        if (call.method == "POST" && call.url == "https://login.test/tenant-9/oauth2/v2.0/token")
            return json_reply(200, {{"expires_in", 3599}, {"access_token", jwt({{"tid", "tenant-9"}}, 3599s)}});
        if (call.method == "GET" && route == "/metadata/identity/oauth2/token") {
            if (call.header("Metadata") != "true")
                return json_reply(400, {{"error", "invalid_request"}, {"error_description", "Required metadata header not specified"}});
            return json_reply(200, {{"expires_in", "86399"}, {"access_token", jwt({{"tid", "tenant-mi"}}, 86399s)}});
        }
        if (call.method == "POST" && call.url == "https://r.azurecr.io/oauth2/exchange")
            return json_reply(200, {{"refresh_token", jwt({{"grant_type", "refresh_token"}}, 3h)}});
        if (call.method == "POST" && call.url == "https://r.azurecr.io/oauth2/token") {
            if (refuse_refresh > 0) {
                --refuse_refresh;
                return json_reply(401, {{"errors", {{{"code", "UNAUTHORIZED"}, {"message", "invalid refresh token"}}}}});
            }
            return json_reply(200, {{"access_token", jwt({{"scope", field(call.fields(), "scope")}}, 75min)}});
        }
        if (call.method == "GET" && call.url == "https://r.azurecr.io/v2/")
            return json_reply(401, nlohmann::json::object(), {{"WWW-Authenticate", v2_challenge}});
        HttpResponse none;
        none.status = 404;
        return none;
    }
};

struct Fixture {
    FakeAzure azure;
    acr_test::FakeHost fake{[this](const Call& call) { return azure(call); }};

    AcrCredentials credentials(AuthSettings settings) {
        if (settings.authority_host.empty()) settings.authority_host = "https://login.test";
        if (settings.resource.empty()) settings.resource = "https://management.azure.com/";
        if (settings.imds_endpoint.empty()) settings.imds_endpoint = "http://imds.test";
        return AcrCredentials(fake.host(), std::move(settings), "https://r.azurecr.io", [this] { return azure.clock(); });
    }
    static AuthSettings service_principal(AuthMode mode = AuthMode::automatic, std::string tenant = "tenant-1") {
        AuthSettings settings;
        settings.mode = mode;
        settings.username = "app-1";
        settings.password = secret;
        settings.tenant = std::move(tenant);
        return settings;
    }
    size_t count(const std::string& method, const std::string& route) { return fake.calls_to(method, route).size(); }
};

std::string token_of(const std::string& authorization) {
    REQUIRE(authorization.rfind("Bearer ", 0) == 0);
    return authorization.substr(7);
}

std::string scope_of(const std::string& authorization) {
    return (*jwt_claims(token_of(authorization)))["scope"].get<std::string>();
}

}  // namespace

TEST_CASE("acr::credentials admin user: Basic at GET /oauth2/token, one request per scope") {
    Fixture f;
    f.azure.basic_ok = true;
    AuthSettings settings;
    settings.username = "admin";
    settings.password = "admin-pw";
    auto credentials = f.credentials(settings);

    auto catalog = credentials.authorization(endpoint, "registry:catalog:*");
    CHECK(scope_of(catalog) == "registry:catalog:*");
    CHECK(credentials.mode() == AuthMode::basic);
    auto calls = f.fake.calls;
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].url == "https://r.azurecr.io/oauth2/token?service=r.azurecr.io&scope=registry%3Acatalog%3A%2A");
    CHECK(f.fake.is_secret(token_of(catalog)));
    CHECK(f.fake.is_secret(base64_encode("admin:admin-pw")));

    CHECK(credentials.authorization(endpoint, "registry:catalog:*") == catalog);
    CHECK(scope_of(credentials.authorization(endpoint, "repository:a:metadata_read")) == "repository:a:metadata_read");
    CHECK(f.count("GET", "/oauth2/token") == 2);
    CHECK(f.count("POST", "/oauth2/exchange") == 0);
}

TEST_CASE("acr::credentials service principal after the registry refuses Basic") {
    Fixture f;
    auto credentials = f.credentials(Fixture::service_principal());
    auto header = credentials.authorization(endpoint, "registry:catalog:*");
    CHECK(scope_of(header) == "registry:catalog:*");
    CHECK(credentials.mode() == AuthMode::service_principal);

    auto calls = f.fake.calls;
    REQUIRE(calls.size() == 4);
    CHECK(calls[0].route() == "/oauth2/token");  // the Basic attempt
    auto entra = calls[1].fields();
    CHECK(calls[1].url == "https://login.test/tenant-1/oauth2/v2.0/token");
    CHECK(calls[1].header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(field(entra, "grant_type") == "client_credentials");
    CHECK(field(entra, "client_id") == "app-1");
    CHECK(field(entra, "client_secret") == secret);
    CHECK(field(entra, "scope") == "https://management.azure.com/.default");
    auto exchange = calls[2].fields();
    CHECK(calls[2].url == "https://r.azurecr.io/oauth2/exchange");
    CHECK(field(exchange, "grant_type") == "access_token");
    CHECK(field(exchange, "service") == "r.azurecr.io");
    CHECK(field(exchange, "tenant") == "tenant-1");
    CHECK((*jwt_claims(field(exchange, "access_token")))["tid"] == "tenant-1");
    auto token = calls[3].fields();
    CHECK(calls[3].method == "POST");
    CHECK(field(token, "grant_type") == "refresh_token");
    CHECK(field(token, "service") == "r.azurecr.io");
    CHECK(field(token, "scope") == "registry:catalog:*");
    CHECK(f.fake.is_secret(field(exchange, "access_token")));
    CHECK(f.fake.is_secret(field(token, "refresh_token")));
    CHECK(f.fake.is_secret(token_of(header)));

    // Another scope costs one POST /oauth2/token, nothing else.
    f.fake.clear();
    credentials.authorization(endpoint, "repository:team/app:pull");
    calls = f.fake.calls;
    REQUIRE(calls.size() == 1);
    CHECK(field(calls[0].fields(), "scope") == "repository:team/app:pull");
}

TEST_CASE("acr::credentials several scopes of one challenge go as several scope fields") {
    Fixture f;
    auto credentials = f.credentials(Fixture::service_principal(AuthMode::service_principal));
    credentials.authorization(endpoint, "repository:a:pull repository:b:pull");
    auto posts = f.fake.calls_to("POST", "/oauth2/token");
    REQUIRE(posts.size() == 1);
    auto fields = posts[0].fields();
    CHECK(fields.count("scope") == 2);
    CHECK(f.count("GET", "/oauth2/token") == 0);  // told it is a service principal: no Basic attempt
}

TEST_CASE("acr::credentials renew access tokens, then the refresh token, as they expire") {
    Fixture f;
    auto credentials = f.credentials(Fixture::service_principal(AuthMode::service_principal));
    auto first = credentials.authorization(endpoint, "registry:catalog:*");

    f.azure.advance(73min);  // the access token lives 75 min and is renewed in its last minute
    CHECK(credentials.authorization(endpoint, "registry:catalog:*") == first);
    f.azure.advance(90s);
    auto second = credentials.authorization(endpoint, "registry:catalog:*");
    CHECK(second != first);
    CHECK(f.count("POST", "/oauth2/token") == 2);
    CHECK(f.count("POST", "/oauth2/exchange") == 1);
    CHECK(f.count("POST", "/tenant-1/oauth2/v2.0/token") == 1);

    f.azure.advance(2h);  // the refresh token (3 h) and the Entra ID token (1 h) are due
    credentials.authorization(endpoint, "registry:catalog:*");
    CHECK(f.count("POST", "/oauth2/exchange") == 2);
    CHECK(f.count("POST", "/tenant-1/oauth2/v2.0/token") == 2);
    CHECK(f.count("POST", "/oauth2/token") == 3);
}

TEST_CASE("acr::credentials sign in again once when ACR refuses the refresh token") {
    Fixture f;
    auto credentials = f.credentials(Fixture::service_principal(AuthMode::service_principal));
    f.azure.refuse_refresh = 1;
    CHECK(scope_of(credentials.authorization(endpoint, "registry:catalog:*")) == "registry:catalog:*");
    CHECK(f.count("POST", "/oauth2/exchange") == 2);
    CHECK(f.count("POST", "/tenant-1/oauth2/v2.0/token") == 2);

    f.azure.refuse_refresh = 2;
    f.fake.clear();
    try {
        credentials.authorization(endpoint, "repository:a:pull");
        FAIL("expected a refusal");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("invalid refresh token") != std::string::npos);
    }
    CHECK(f.count("POST", "/oauth2/exchange") == 1);  // one new sign-in, not a loop
}

TEST_CASE("acr::credentials managed identity: IMDS with Metadata, exchange in the token's tenant") {
    Fixture f;
    AuthSettings settings;
    settings.identity_client_id = "mi-client-1";
    auto credentials = f.credentials(settings);
    credentials.authorization(endpoint, "registry:catalog:*");
    CHECK(credentials.mode() == AuthMode::managed_identity);

    auto imds = f.fake.calls_to("GET", "/metadata/identity/oauth2/token");
    REQUIRE(imds.size() == 1);
    CHECK(imds[0].url == "http://imds.test/metadata/identity/oauth2/token?api-version=2018-02-01"
                         "&resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id=mi-client-1");
    CHECK(imds[0].header("Metadata") == "true");
    CHECK((imds[0].flags & REGSCAN_HTTP_REGISTRY_AUTH) == 0);
    CHECK((imds[0].flags & REGSCAN_HTTP_NO_RETRY) != 0);
    auto exchange = f.fake.calls_to("POST", "/oauth2/exchange");
    REQUIRE(exchange.size() == 1);
    CHECK(field(exchange[0].fields(), "tenant") == "tenant-mi");
    CHECK(f.count("GET", "/oauth2/token") == 0);
}

TEST_CASE("acr::credentials: the managed identity never signs in to a name that is not ACR's") {
    Fixture f;
    AuthSettings settings;
    AcrCredentials credentials(f.fake.host(), settings, "https://registry.attacker.example",
                               [&f] { return f.azure.clock(); });
    CHECK(credentials.mode() == AuthMode::managed_identity);
    try {
        credentials.authorization({"https://registry.attacker.example", "registry.attacker.example"},
                                  "registry:catalog:*");
        FAIL("must throw");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()).find("is not an ACR login server name") != std::string::npos);
    }
    CHECK(f.fake.calls_to("GET", "/metadata/identity/oauth2/token").empty());
    CHECK(f.fake.calls_to("POST", "/oauth2/exchange").empty());
}

TEST_CASE("acr::credentials take the tenant from a challenge that names it") {
    Fixture f;
    f.azure.v2_challenge = R"(Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",)"
                           R"(authorization_uri="https://login.windows.net/tenant-9")";
    auto credentials = f.credentials(Fixture::service_principal(AuthMode::service_principal, ""));
    credentials.authorization(endpoint, "registry:catalog:*");
    CHECK(f.count("POST", "/tenant-9/oauth2/v2.0/token") == 1);
    CHECK(field(f.fake.calls_to("POST", "/oauth2/exchange").at(0).fields(), "tenant") == "tenant-9");
}

TEST_CASE("acr::credentials without a tenant say how to give one") {
    Fixture f;
    auto credentials = f.credentials(Fixture::service_principal(AuthMode::automatic, ""));
    try {
        credentials.authorization(endpoint, "registry:catalog:*");
        FAIL("expected a refusal");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        CHECK(std::string(e.what()) ==
              "the registry refused 'app-1' as an admin user or token (HTTP 401 UNAUTHORIZED: authentication "
              "required), and as a service principal: signing in as Entra ID service principal 'app-1' needs its "
              "tenant: set AZURE_TENANT_ID or --acr-tenant");
    }
    CHECK(f.count("GET", "/v2/") == 1);
}

TEST_CASE("acr::credentials a wrong secret is AUTH_FAILED naming the client, never the secret") {
    Fixture f;
    auto settings = Fixture::service_principal(AuthMode::service_principal);
    settings.password = "Wrong~secret-value";
    auto credentials = f.credentials(settings);
    try {
        credentials.authorization(endpoint, "registry:catalog:*");
        FAIL("expected a refusal");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_AUTH_FAILED);
        std::string message = e.what();
        CHECK(message == "Entra ID (https://login.test) for service principal app-1 in tenant tenant-1 refused the "
                         "sign-in: HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided.");
        CHECK(message.find("Wrong~") == std::string::npos);
    }
    CHECK(f.fake.is_secret("Wrong~secret-value"));
}

TEST_CASE("acr::credentials one sign-in however many threads ask at once") {
    Fixture f;
    auto credentials = f.credentials(Fixture::service_principal());
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) {
                std::string scope = "repository:repo" + std::to_string((t + i) % 5) + ":pull";
                if (scope_of(credentials.authorization(endpoint, scope)) != scope) ++wrong;
            }
        });
    for (auto& thread : threads) thread.join();
    CHECK(wrong == 0);
    CHECK(f.count("GET", "/oauth2/token") == 1);
    CHECK(f.count("POST", "/tenant-1/oauth2/v2.0/token") == 1);
    CHECK(f.count("POST", "/oauth2/exchange") == 1);
    CHECK(f.count("POST", "/oauth2/token") >= 5);
}

TEST_SUITE_END();
