#include <doctest/doctest.h>

#include "http/retry_policy.hpp"

using namespace regscan::http;
using namespace std::chrono;

TEST_SUITE_BEGIN("http");

TEST_CASE("http::is_retryable_status") {
    for (long s : {0L, 429L, 500L, 502L, 503L, 504L}) CHECK(is_retryable_status(s));
    for (long s : {200L, 301L, 400L, 401L, 403L, 404L, 501L}) CHECK_FALSE(is_retryable_status(s));
}

TEST_CASE("http::parse_retry_after reads seconds and HTTP dates") {
    auto now = sys_days{2026y / 11 / 22} + 10h;
    CHECK(parse_retry_after("7", now) == seconds(7));
    CHECK(parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", now) == seconds(30));
    CHECK(parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now) == seconds(0));
    CHECK_FALSE(parse_retry_after("soon", now));
    CHECK_FALSE(parse_retry_after("", now));
}

TEST_CASE("http::retry_delay grows, is capped, and lets Retry-After win") {
    CHECK(retry_delay(0, 500ms, std::nullopt, 120s, 1.0) == 500ms);
    CHECK(retry_delay(0, 500ms, std::nullopt, 120s, 0.0) == 250ms);
    CHECK(retry_delay(3, 500ms, std::nullopt, 120s, 1.0) == 4000ms);
    CHECK(retry_delay(30, 500ms, std::nullopt, 120s, 1.0) == 120000ms);
    CHECK(retry_delay(0, 500ms, seconds(9), 120s, 0.3) == 9000ms);
    CHECK(retry_delay(0, 500ms, seconds(900), 120s, 0.3) == 120000ms);
}

TEST_SUITE_END();
