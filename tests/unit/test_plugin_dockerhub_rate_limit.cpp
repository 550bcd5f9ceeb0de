#include <doctest/doctest.h>

#include "rate_limit.hpp"
#include "test_plugin_dockerhub_fake_host.hpp"

using namespace regscan::dockerhub;
using dockerhub_test::FakeHost;
using regscan::sdk::HttpResponse;

namespace {

HttpResponse with_headers(std::vector<regscan::sdk::Header> headers, long status = 200) {
    HttpResponse response;
    response.status = status;
    response.headers = std::move(headers);
    return response;
}

HttpResponse pulls(const char* limit, const char* remaining) {
    return with_headers({{"ratelimit-limit", limit}, {"ratelimit-remaining", remaining},
                         {"docker-ratelimit-source", "192.0.2.1"}});
}

}  // namespace

TEST_SUITE_BEGIN("dockerhub");

TEST_CASE("dockerhub::pull_quota reads Docker Hub's ratelimit headers with their window") {
    auto quota = pull_quota(pulls("100;w=21600", "76;w=21600"));
    REQUIRE(quota);
    CHECK(quota->limit == 100);
    CHECK(quota->remaining == 76);
    CHECK(quota->window_seconds == 21600);
    // Header names are case-insensitive; a window on either header counts.
    auto upper = pull_quota(with_headers({{"RateLimit-Limit", "200"}, {"RateLimit-Remaining", "0;w=3600"}}));
    REQUIRE(upper);
    CHECK(upper->remaining == 0);
    CHECK(upper->window_seconds == 3600);
    CHECK_FALSE(pull_quota(with_headers({})));
    CHECK_FALSE(pull_quota(with_headers({{"ratelimit-limit", "100;w=21600"}})));
    CHECK_FALSE(pull_quota(pulls("lots", "76")));
}

TEST_CASE("dockerhub::api_quota reads X-RateLimit headers as requests per minute") {
    auto quota = api_quota(with_headers({{"X-RateLimit-Limit", "180"}, {"X-RateLimit-Remaining", "17"},
                                         {"X-RateLimit-Reset", "1700000000"}}));
    REQUIRE(quota);
    CHECK(quota->limit == 180);
    CHECK(quota->remaining == 17);
    CHECK(quota->window_seconds == 60);
    CHECK(is_low(*quota));
    CHECK_FALSE(is_low(Quota{180, 19, 60}));
    CHECK(is_low(Quota{100, 0, 0}));
}

TEST_CASE("dockerhub::describe_window and describe_pull_quota speak in hours and minutes") {
    CHECK(describe_window(21600) == "6 h");
    CHECK(describe_window(60) == "1 min");
    CHECK(describe_window(90) == "90 s");
    CHECK(describe_window(0) == "unstated");
    CHECK(describe_pull_quota(Quota{100, 76, 21600}) == "76 of 100 pulls left per 6 h window");
}

TEST_CASE("dockerhub::RateLimitLog logs the pull limit once, as a warning when exhausted") {
    FakeHost fake;
    RateLimitLog log(fake.host());
    log.pulls(pulls("100;w=21600", "76;w=21600"), false);
    log.pulls(pulls("100;w=21600", "75;w=21600"), false);
    REQUIRE(fake.logged(REGSCAN_LOG_INFO).size() == 1);
    CHECK(fake.logged(REGSCAN_LOG_INFO)[0] ==
          "Docker Hub pull rate limit for this account: 76 of 100 pulls left per 6 h window");
    CHECK(fake.logged(REGSCAN_LOG_WARN).empty());

    FakeHost exhausted;
    RateLimitLog anonymous(exhausted.host());
    anonymous.pulls(pulls("100;w=21600", "0;w=21600"), true);
    REQUIRE(exhausted.logged(REGSCAN_LOG_WARN).size() == 1);
    auto warning = exhausted.logged(REGSCAN_LOG_WARN)[0];
    CHECK(warning.find("pull rate limit exhausted for anonymous pulls") != std::string::npos);
    CHECK(warning.find("0 of 100 pulls left per 6 h window") != std::string::npos);
    CHECK(warning.find("429 TOOMANYREQUESTS") != std::string::npos);
}

TEST_CASE("dockerhub::RateLimitLog warns once when the API limit runs low") {
    FakeHost fake;
    RateLimitLog log(fake.host());
    log.api(with_headers({{"X-RateLimit-Limit", "180"}, {"X-RateLimit-Remaining", "100"}}));
    CHECK(fake.logged(REGSCAN_LOG_WARN).empty());
    log.api(with_headers({{"X-RateLimit-Limit", "180"}, {"X-RateLimit-Remaining", "3"}}));
    log.api(with_headers({{"X-RateLimit-Limit", "180"}, {"X-RateLimit-Remaining", "2"}}));
    REQUIRE(fake.logged(REGSCAN_LOG_WARN).size() == 1);
    CHECK(fake.logged(REGSCAN_LOG_WARN)[0].find("3 of 180 requests per minute left") != std::string::npos);
}

TEST_CASE("dockerhub::RateLimitLog::api_refusal names the limit and when to come back") {
    CHECK(RateLimitLog::api_refusal(with_headers({{"X-RateLimit-Limit", "180"}, {"X-RateLimit-Remaining", "0"},
                                                  {"Retry-After", "7"}}, 429)) ==
          "Docker Hub API rate limit reached (180 requests per minute); retry after 7 s");
    CHECK(RateLimitLog::api_refusal(with_headers({{"X-Retry-After", "1700000000"}}, 429)) ==
          "Docker Hub API rate limit reached; retry at unix time 1700000000");
}

TEST_SUITE_END();
