#include <doctest/doctest.h>

#include "serve/http/admission.hpp"
#include "serve/http/message.hpp"

using namespace regscan::serve::httpd;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("serve_http");

TEST_CASE("serve::httpd::RateLimiter: a burst, then one request per refill, per client") {
    RateLimiter limiter(2, 3);  // 2 per second, bursts of 3
    auto t0 = RateLimiter::Clock::time_point{} + 1000s;
    CHECK(limiter.allow("a", t0));
    CHECK(limiter.allow("a", t0));
    CHECK(limiter.allow("a", t0));
    CHECK_FALSE(limiter.allow("a", t0));
    CHECK(limiter.allow("b", t0));  // another client has its own bucket
    CHECK_FALSE(limiter.allow("a", t0 + 400ms));
    CHECK(limiter.allow("a", t0 + 500ms));  // one back after 1/2 s
    CHECK_FALSE(limiter.allow("a", t0 + 500ms));
    CHECK(limiter.allow("a", t0 + 100s));  // refilled, never above the burst
    CHECK(limiter.allow("a", t0 + 100s));
    CHECK(limiter.allow("a", t0 + 100s));
    CHECK_FALSE(limiter.allow("a", t0 + 100s));
    CHECK(limiter.retry_after_seconds() == 1);
}

TEST_CASE("serve::httpd::RateLimiter keeps a bounded number of clients") {
    RateLimiter limiter(10, 10, 4);
    auto t0 = RateLimiter::Clock::time_point{} + 1000s;
    for (int i = 0; i < 100; ++i) CHECK(limiter.allow("client-" + std::to_string(i), t0 + std::chrono::seconds(i)));
    CHECK(limiter.clients() <= 4);
}

TEST_CASE("serve::httpd::ConnectionGate bounds connections in all and per client") {
    ConnectionGate gate(3, 2);
    CHECK(gate.acquire("a"));
    CHECK(gate.acquire("a"));
    CHECK_FALSE(gate.acquire("a"));  // per client
    CHECK(gate.acquire("b"));
    CHECK_FALSE(gate.acquire("c"));  // in all
    CHECK(gate.open() == 3);
    gate.release("a");
    CHECK(gate.acquire("c"));
    gate.release("zzz");  // unknown: no effect
    CHECK(gate.open() == 3);
}

TEST_CASE("serve::httpd::parse_target decodes the path and the query") {
    std::string path;
    std::map<std::string, std::string> query;
    REQUIRE(parse_target("/api/v1/images?q=a%20b+c&limit=5&limit=9&flag", path, query));
    CHECK(path == "/api/v1/images");
    CHECK(query["q"] == "a b c");
    CHECK(query["limit"] == "5");  // the first value wins
    CHECK(query.count("flag") == 1);
    CHECK(parse_target("/a%2Fb", path, query));
    CHECK(path == "/a/b");
    CHECK_FALSE(parse_target("http://other/x", path, query));  // absolute form is not served
    CHECK_FALSE(parse_target("/bad%zz", path, query));
    CHECK_FALSE(parse_target("/bad%2", path, query));
    CHECK_FALSE(parse_target("/nul%00byte", path, query));
    CHECK_FALSE(parse_target("/line%0d%0aSet-Cookie:x", path, query));
}

TEST_CASE("serve::httpd::Request and Response headers are case-insensitive") {
    Request request;
    request.headers = {{"x-regscan-csrf", "1"}};
    CHECK(request.header("X-Regscan-CSRF") == "1");
    CHECK(request.has_header("X-REGSCAN-CSRF"));
    CHECK_FALSE(request.has_header("origin"));
    Response response;
    response.set("Content-Type", "a");
    response.set("content-type", "b");
    CHECK(response.headers.size() == 1);
    CHECK(response.header("CONTENT-TYPE") == "b");
}

TEST_SUITE_END();
