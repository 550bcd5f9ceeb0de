#include <doctest/doctest.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "auth/registry_auth.hpp"
#include "client_options.hpp"
#include "http/http_client.hpp"
#include "plugin/host_services.hpp"
#include "plugin/loaded_plugin.hpp"
#include "loopback_server.hpp"
#include "plugin/registry_session.hpp"

using namespace regscan;

namespace {

// A loopback registry. /held and /token-held answer only once the test ends
// (a registry that never answers); /v2/auth asks for a Bearer token at
// /token-held; /flaky answers 503 with Retry-After: 1 once, then 200;
// /slow-retry answers 503 with Retry-After: 30 once, then 200.
struct SlowRegistry {
    testing::LoopbackServer server{[this](const serve::httpd::Request& request, int seen) {
        return answer(request, seen);
    }};

    std::string url(const std::string& path) { return server.url(path); }
    int count(const std::string& path) { return server.count(path); }

    serve::httpd::Response answer(const serve::httpd::Request& request, int seen) {
        serve::httpd::Response response;
        if (request.path == "/held" || request.path == "/token-held") {
            server.hold();
            response.body = R"({"token": "late"})";
        } else if (request.path == "/v2/auth" && request.header("Authorization").empty()) {
            response.status = 401;
            response.set("WWW-Authenticate", "Bearer realm=\"" + url("/token-held") + "\",service=\"unit\"");
        } else if (request.path == "/flaky" && seen == 1) {
            response.status = 503;
            response.set("Retry-After", "1");
        } else if (request.path == "/slow-retry" && seen == 1) {
            response.status = 503;
            response.set("Retry-After", "30");
        }
        return response;
    }
};

struct Answer {
    long status = 0;
    std::string error;
};

// One call through the host table, as a plugin makes it.
Answer call(const plugin::HostServices& host, const regscan_http_request& request) {
    regscan_http_response out{};
    out.struct_size = sizeof out;
    host.api()->http(host.api()->ctx, &request, &out);
    Answer answer{out.status, out.error ? out.error : ""};
    host.api()->http_release(host.api()->ctx, &out);
    return answer;
}

// Points into `url`: keep it alive as long as the request.
regscan_http_request get(const std::string& url, uint32_t timeout_ms, uint32_t flags = 0) {
    regscan_http_request request{};
    request.struct_size = sizeof request;
    request.method = "GET";
    request.url = url.c_str();
    request.flags = flags;
    request.timeout_ms = timeout_ms;
    return request;
}

}  // namespace

TEST_SUITE_BEGIN("plugin");

TEST_CASE("plugin::request_deadline reads timeout_ms only from a 1.4 plugin whose struct reaches it") {
    const auto now = std::chrono::steady_clock::now();
    auto request = get("http://127.0.0.1/", 2500);
    CHECK(plugin::request_deadline(request, 4, now) == now + std::chrono::milliseconds(2500));
    CHECK(plugin::request_deadline(request, REGSCAN_ABI_MINOR, now) == now + std::chrono::milliseconds(2500));
    // A 1.3 plugin's struct is as large: timeout_ms is its tail padding, never set.
    CHECK_FALSE(plugin::request_deadline(request, 3, now));
    CHECK_FALSE(plugin::request_deadline(request, 0, now));
    request.struct_size = offsetof(regscan_http_request, timeout_ms);  // a struct that ends before it
    CHECK_FALSE(plugin::request_deadline(request, 4, now));
    CHECK_FALSE(plugin::request_deadline(get("http://127.0.0.1/", 0), 4, now));  // 0: the core's own bounds
}

TEST_CASE("plugin::HostServices ends a call at its timeout_ms, far before the client's own timeout") {
    SlowRegistry registry;
    http::HttpClient client(testing::patient_options());
    plugin::HostServices host(client, "unit", REGSCAN_ABI_MINOR);
    // 2 s: room for a loaded machine's loopback round trip; the client's own timeout is 600 s.
    auto answer = call(host, get(registry.url("/held"), 2000));
    CHECK(answer.status == 0);
    CHECK(answer.error.rfind("timed out", 0) == 0);
    CHECK(registry.count("/held") == 1);
}

TEST_CASE("plugin::HostServices keeps the token request of registry auth inside the call's timeout_ms") {
    SlowRegistry registry;
    http::HttpClient client(testing::patient_options());
    auth::RegistryAuth auth(client, {});
    plugin::HostServices host(client, "unit", REGSCAN_ABI_MINOR);
    host.set_registry_auth(&auth);
    // 2 s: room for the 401's loopback round trip on a loaded machine; the token never comes.
    auto answer = call(host, get(registry.url("/v2/auth"), 2000, REGSCAN_HTTP_REGISTRY_AUTH));
    // No answer in time, not the registry's refusal: the token never came.
    CHECK(answer.status == 0);
    CHECK(answer.error.rfind("timed out", 0) == 0);
    CHECK(answer.error.find("(token request to " + registry.url("/token-held") + ", ") != std::string::npos);
    CHECK(registry.count("/v2/auth") == 1);
    CHECK(registry.count("/token-held") == 1);
}

TEST_CASE("plugin::HostServices retries no further than a call's timeout_ms allows") {
    SlowRegistry registry;
    http::HttpClient client(testing::patient_options());
    plugin::HostServices host(client, "unit", REGSCAN_ABI_MINOR);
    // Retry-After: 30 s is past a 2 s timeout: the 503 is the answer.
    CHECK(call(host, get(registry.url("/slow-retry"), 2000)).status == 503);
    CHECK(registry.count("/slow-retry") == 1);
}

TEST_CASE("plugin::HostServices reads no timeout_ms from an SDK 1.3 plugin or a struct that ends before it") {
    // Each request's timeout_ms holds 1 (ms): read, the 503 would not be retried.
    SUBCASE("a plugin built with SDK 1.3, its struct as large as 1.4's") {
        SlowRegistry registry;
        http::HttpClient client(testing::patient_options());
        plugin::HostServices host(client, "sdk13", 3);
        CHECK(call(host, get(registry.url("/flaky"), 1)).status == 200);
        CHECK(registry.count("/flaky") == 2);
    }
    SUBCASE("a 1.4 plugin whose struct_size stops before timeout_ms") {
        SlowRegistry registry;
        http::HttpClient client(testing::patient_options());
        plugin::HostServices host(client, "short", REGSCAN_ABI_MINOR);
        const std::string url = registry.url("/flaky");
        auto request = get(url, 1);
        request.struct_size = offsetof(regscan_http_request, timeout_ms);
        CHECK(call(host, request).status == 200);
        CHECK(registry.count("/flaky") == 2);
    }
}

TEST_CASE("plugin::RegistrySession: a plugin built with SDK 1.3 loads and its requests go through the core") {
    auto set = plugin::load_plugins({std::filesystem::path(REGSCAN_FIXTURE_PLUGIN_DIR) / "sdk13_http_plugin"});
    REQUIRE(set.refused.empty());
    REQUIRE(set.plugins.size() == 1);
    CHECK(set.plugins[0]->abi_minor() == 3);
    SlowRegistry registry;
    http::HttpClient client(testing::patient_options());
    auth::RegistryAuth auth(client, {});
    plugin::RegistrySession session(set.plugins[0], client, auth,
                                    {registry.url("/flaky"), "SDK13_HTTP", "", "", {}});
    // Its struct's padding holds 1 where timeout_ms is now: read, the 503 would not be retried.
    auto repositories = session.repositories();
    REQUIRE(repositories.size() == 1);
    CHECK(repositories[0].name == "status/200");
    CHECK(registry.count("/flaky") == 2);
}

TEST_SUITE_END();
