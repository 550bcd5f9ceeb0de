// ECR host names, the endpoints derived from them, and identification.
#include <doctest/doctest.h>

#include "ecr_host.hpp"
#include "ecr_open.hpp"
#include "regscan/error.hpp"

using namespace regscan::ecr;

TEST_SUITE_BEGIN("ecr");

TEST_CASE("ecr::host standard, FIPS, China and dual-stack registry names") {
    auto standard = parse_registry_host("123456789012.dkr.ecr.us-east-1.amazonaws.com");
    REQUIRE(standard);
    CHECK(standard->account == "123456789012");
    CHECK(standard->region == "us-east-1");
    CHECK_FALSE(standard->fips);
    CHECK(default_api_endpoint(*standard) == "https://api.ecr.us-east-1.amazonaws.com");
    CHECK(default_sts_endpoint(*standard) == "https://sts.us-east-1.amazonaws.com");

    auto fips = parse_registry_host("210987654321.dkr.ecr-fips.us-gov-west-1.amazonaws.com");
    REQUIRE(fips);
    CHECK(fips->fips);
    CHECK(fips->region == "us-gov-west-1");
    CHECK(default_api_endpoint(*fips) == "https://ecr-fips.us-gov-west-1.amazonaws.com");
    CHECK(default_sts_endpoint(*fips) == "https://sts-fips.us-gov-west-1.amazonaws.com");

    auto china = parse_registry_host("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
    REQUIRE(china);
    CHECK(china->china);
    CHECK(default_api_endpoint(*china) == "https://api.ecr.cn-north-1.amazonaws.com.cn");
    CHECK(default_sts_endpoint(*china) == "https://sts.cn-north-1.amazonaws.com.cn");

    auto dual = parse_registry_host("123456789012.dkr-ecr.eu-west-3.on.aws");
    REQUIRE(dual);
    CHECK(dual->dual_stack);
    CHECK(default_api_endpoint(*dual) == "https://ecr.eu-west-3.api.aws");
}

TEST_CASE("ecr::host other names are not ECR") {
    CHECK_FALSE(parse_registry_host("registry.example.com"));
    CHECK_FALSE(parse_registry_host("12345.dkr.ecr.us-east-1.amazonaws.com"));  // account has 12 digits
    CHECK_FALSE(parse_registry_host("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example"));
    CHECK_FALSE(parse_registry_host("public.ecr.aws"));
    CHECK_FALSE(parse_registry_host("123456789012.dkr.ecr.notaregion.amazonaws.com"));
}

TEST_CASE("ecr::host endpoint URLs") {
    auto plain = endpoint_from("http://127.0.0.1:4566");
    CHECK(plain.url == "http://127.0.0.1:4566/");
    CHECK(plain.host == "127.0.0.1:4566");
    CHECK(plain.path == "/");
    auto prefixed = endpoint_from("https://proxy.example/aws/ecr/");
    CHECK(prefixed.url == "https://proxy.example/aws/ecr/");
    CHECK(prefixed.host == "proxy.example");
    CHECK(prefixed.path == "/aws/ecr/");
    CHECK_THROWS_AS(endpoint_from("api.ecr.us-east-1.amazonaws.com"), regscan::sdk::Error);
    CHECK_THROWS_AS(endpoint_from("ftp://example"), regscan::sdk::Error);
    try {
        (void)endpoint_from("ftp://example");
    } catch (const regscan::sdk::Error& e) {
        CHECK(e.status() == REGSCAN_BAD_ARGUMENT);
    }
}

TEST_CASE("ecr::identify by host name, by challenge, or not at all") {
    regscan::sdk::Probe probe;
    probe.url = "https://123456789012.dkr.ecr.us-east-1.amazonaws.com";
    probe.parsed = regscan::sdk::parse_url(probe.url);
    CHECK(identify(probe).score == 90);
    CHECK(identify(probe).type == "ECR");

    probe.url = "https://registry.internal:5000";
    probe.parsed = regscan::sdk::parse_url(probe.url);
    CHECK(identify(probe).score == 0);
    probe.ping_status = 401;
    probe.ping_headers["www-authenticate"] = R"(Basic realm="https://registry.internal/",service="ecr.amazonaws.com")";
    // Its own word does not make a registry ECR (it would get a token of this machine's AWS credentials).
    CHECK(identify(probe).score == 0);
    CHECK(challenge_names_ecr(probe));
    probe.ping_headers["www-authenticate"] = R"(Basic realm="Registry")";
    CHECK(identify(probe).score == 0);
    CHECK_FALSE(challenge_names_ecr(probe));
}

TEST_SUITE_END();
