#include <doctest/doctest.h>

#include "acr_codec.hpp"
#include "acr_token.hpp"
#include "test_plugin_acr_fake_host.hpp"

using namespace regscan::acr;
using namespace std::chrono_literals;

TEST_SUITE_BEGIN("acr");

TEST_CASE("acr::form_encode percent-encodes names and values") {
    CHECK(form_encode({{"grant_type", "client_credentials"}, {"scope", "https://management.azure.com/.default"}}) ==
          "grant_type=client_credentials&scope=https%3A%2F%2Fmanagement.azure.com%2F.default");
    CHECK(form_encode({{"client_secret", "a+b&c=d~"}}) == "client_secret=a%2Bb%26c%3Dd~");
}

TEST_CASE("acr::split_scopes separates the scopes of one challenge") {
    CHECK(split_scopes("repository:a:pull") == std::vector<std::string>{"repository:a:pull"});
    CHECK(split_scopes("repository:a:pull  registry:catalog:*") ==
          std::vector<std::string>{"repository:a:pull", "registry:catalog:*"});
    CHECK(split_scopes("").empty());
}

TEST_CASE("acr::jwt_claims and jwt_expiry read a token's payload") {
    auto token = acr_test::make_jwt({{"exp", 1700000000}, {"tid", "tenant-1"}});
    REQUIRE(jwt_claims(token));
    CHECK((*jwt_claims(token))["tid"] == "tenant-1");
    CHECK(jwt_expiry(token) == 1700000000);
    CHECK_FALSE(jwt_expiry("not-a-jwt"));
    CHECK_FALSE(jwt_expiry("a.%%%.c"));
    CHECK_FALSE(jwt_expiry(acr_test::make_jwt({{"sub", "x"}})));
}

TEST_CASE("acr::seconds_field takes numbers and IMDS's strings") {
    nlohmann::json body = {{"a", 3599}, {"b", "86399"}, {"c", "soon"}, {"d", 12.7}};
    CHECK(seconds_field(body, "a") == 3599);
    CHECK(seconds_field(body, "b") == 86399);
    CHECK_FALSE(seconds_field(body, "c"));
    CHECK(seconds_field(body, "d") == 12);
    CHECK_FALSE(seconds_field(body, "missing"));
}

TEST_CASE("acr::make_token renews a minute early, half the life of a short token") {
    const TimePoint now{std::chrono::seconds(1'000'000)};
    auto hour = make_token("t", now, 3600, 60s);
    CHECK(hour.refresh_at == now + 3540s);
    CHECK(hour.usable(now + 3539s));
    CHECK_FALSE(hour.usable(now + 3540s));

    auto short_lived = make_token("t", now, 30, 60s);
    CHECK(short_lived.refresh_at == now + 15s);

    // No expires_in: the JWT's exp decides.
    auto jwt = acr_test::make_jwt({{"exp", 1'000'000 + 4500}});
    CHECK(make_token(jwt, now, std::nullopt, 60s).refresh_at == now + 4440s);
    // Neither: the fallback lifetime.
    CHECK(make_token("opaque", now, std::nullopt, 60s).refresh_at == now + 30s);
    // Already expired: never usable again.
    auto expired = acr_test::make_jwt({{"exp", 1'000'000 - 10}});
    CHECK_FALSE(make_token(expired, now, std::nullopt, 60s).usable(now));
    CHECK_FALSE(Token{}.usable(now));
}

TEST_SUITE_END();
