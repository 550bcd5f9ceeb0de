#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "auth/registry_auth.hpp"
#include "client_options.hpp"
#include "http/http_client.hpp"
#include "loopback_server.hpp"
#include "regscan/error.hpp"

using namespace regscan;

namespace {

// A loopback registry whose /v2/<name> paths ask for a Bearer token at the
// realm /token-<name>: /token-refused answers 403, /token-failing 503, /token-held never answers,
// /token-good gives "good"; /v2/dead names dead_realm.
struct TokenRegistry {
    std::string dead_realm;  // /v2/dead's realm
    testing::LoopbackServer server{[this](const serve::httpd::Request& request, int) { return answer(request); }};

    std::string url(const std::string& path) { return server.url(path); }
    int count(const std::string& path) { return server.count(path); }

    serve::httpd::Response answer(const serve::httpd::Request& request) {
        serve::httpd::Response response;
        if (request.path == "/token-held") {
            server.hold();
            response.body = R"({"token": "late"})";
        } else if (request.path == "/token-refused") {
            response.status = 403;
        } else if (request.path == "/token-failing") {
            response.status = 503;
        } else if (request.path == "/token-good") {
            response.body = R"({"token": "good"})";
        } else if (request.header("Authorization") != "Bearer good") {
            const std::string realm = request.path == "/v2/dead" ? dead_realm : url("/token-" + request.path.substr(4));
            response.status = 401;
            response.set("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"unit\"");
        }
        return response;
    }
};

http::Request get(const std::string& url) {
    http::Request request;
    request.url = url;
    return request;
}

}  // namespace

TEST_SUITE_BEGIN("auth");

TEST_CASE("auth::RegistryAuth answers the challenge with the realm's token and sends the request again") {
    TokenRegistry registry;
    http::HttpClient client({});
    auth::RegistryAuth auth(client, {});
    CHECK(auth.send(get(registry.url("/v2/good"))).status == 200);
    CHECK(registry.count("/v2/good") == 2);
    CHECK(registry.count("/token-good") == 1);
}

TEST_CASE("auth::RegistryAuth returns a token the realm refused as the registry's 401, saying why") {
    TokenRegistry registry;
    http::HttpClient client({});
    auth::RegistryAuth auth(client, {});
    auto response = auth.send(get(registry.url("/v2/refused")));
    CHECK(response.status == 401);
    CHECK(response.body.rfind("token request to " + registry.url("/token-refused") + " failed: HTTP 403", 0) == 0);
}

TEST_CASE("auth::RegistryAuth returns a token request cut at the deadline as no answer, not as a refusal") {
    TokenRegistry registry;
    http::HttpClient client(testing::patient_options());
    auth::RegistryAuth auth(client, {});
    auto request = get(registry.url("/v2/held"));
    // 2 s: room for the 401's loopback round trip on a loaded machine; the token never comes.
    request.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    auto response = auth.send(request);
    CHECK(response.status == 0);
    CHECK(response.error.rfind("timed out", 0) == 0);
    const std::string named =
        "(token request to " + registry.url("/token-held") + ", which the registry's 401 asked for)";
    CHECK(response.error.find(named) != std::string::npos);
    CHECK(registry.count("/v2/held") == 1);
    CHECK(registry.count("/token-held") == 1);
}

TEST_CASE("auth::RegistryAuth returns a realm nothing answers at as no answer, not as a refusal") {
    std::string dead_realm;
    {
        testing::LoopbackServer closed{[](const serve::httpd::Request&, int) { return serve::httpd::Response{}; }};
        dead_realm = closed.url("/token");
    }  // nothing listens there now
    TokenRegistry registry;
    registry.dead_realm = dead_realm;
    http::HttpClient client(testing::single_attempt_options());
    auth::RegistryAuth auth(client, {});
    auto response = auth.send(get(registry.url("/v2/dead")));
    CHECK(response.status == 0);
    CHECK(response.error.find("(token request to " + dead_realm + ", ") != std::string::npos);
}

TEST_CASE("auth::RegistryAuth returns a token service failing (5xx) as no answer, not as a refusal") {
    TokenRegistry registry;
    http::HttpClient client(testing::single_attempt_options());
    auth::RegistryAuth auth(client, {});
    auto response = auth.send(get(registry.url("/v2/failing")));
    CHECK(response.status == 0);
    CHECK(response.error.rfind("token request to " + registry.url("/token-failing") + " failed: HTTP 503", 0) == 0);
}

TEST_CASE("auth::RegistryAuth retries a failing token service only where the registry request takes retries") {
    TokenRegistry registry;
    http::ClientOptions options;
    options.max_retries = 1;
    options.retry_base_delay = std::chrono::milliseconds(1);
    http::HttpClient client(options);
    auth::RegistryAuth auth(client, {});
    auto once = get(registry.url("/v2/failing"));
    once.retry = false;  // an identification probe's
    CHECK(auth.send(once).status == 0);
    CHECK(registry.count("/token-failing") == 1);
    CHECK(auth.send(get(registry.url("/v2/failing"))).status == 0);
    CHECK(registry.count("/token-failing") == 3);  // the first try and its retry
}

TEST_CASE("auth::RegistryAuth: a plugin's sign-in nothing answered is no answer; one refused is the registry's 401") {
    TokenRegistry registry;
    http::HttpClient client({});
    auth::RegistryAuth auth(client, {});
    for (const auto status : {REGSCAN_UNREACHABLE, REGSCAN_AUTH_FAILED}) {
        CAPTURE(status);
        auth.set_authorize_hook([status](const sdk::AuthRequest&) -> std::optional<auth::PluginAuthorization> {
            throw sdk::Error(status, "sign-in failed");
        });
        auto response = auth.send(get(registry.url("/v2/refused")));
        CHECK(response.status == (status == REGSCAN_UNREACHABLE ? 0 : 401));
        CHECK((response.error + response.body).find("plugin authorisation failed: sign-in failed") !=
              std::string::npos);
    }
    CHECK(registry.count("/token-refused") == 0);  // the plugin answers the challenge, not the realm
}

TEST_SUITE_END();
