#include <doctest/doctest.h>

#include "auth/challenge.hpp"

using namespace regscan::auth;

TEST_SUITE_BEGIN("auth");

TEST_CASE("auth::parse_challenges reads a distribution Bearer challenge") {
    auto c = parse_challenges(
        R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull")");
    REQUIRE(c.size() == 1);
    CHECK(c[0].scheme == "Bearer");
    CHECK(c[0].param("realm") == "https://auth.example/token");
    CHECK(c[0].param("service") == "registry.example");
    CHECK(c[0].param("scope") == "repository:a/b:pull");
}

TEST_CASE("auth::parse_challenges reads several challenges, quoted commas and escapes") {
    auto c = parse_challenges(R"(Basic realm="Registry, Inc", Bearer realm="https://t/x",error="insufficient_scope",scope="repository:a:pull,push")");
    REQUIRE(c.size() == 2);
    CHECK(c[0].scheme == "Basic");
    CHECK(c[0].param("realm") == "Registry, Inc");
    CHECK(c[1].param("scope") == "repository:a:pull,push");
    CHECK(c[1].param("error") == "insufficient_scope");
    auto escaped = parse_challenges(R"(Basic realm="say \"hi\"")");
    CHECK(escaped.at(0).param("realm") == "say \"hi\"");
}

TEST_CASE("auth::parse_challenges lowercases parameter names and tolerates junk") {
    auto c = parse_challenges(R"(Bearer Realm="r", SERVICE=svc)");
    REQUIRE(c.size() == 1);
    CHECK(c[0].param("realm") == "r");
    CHECK(c[0].param("service") == "svc");
    CHECK(parse_challenges("").empty());
    CHECK(parse_challenges(",,,").empty());
}

TEST_CASE("auth::scope_for_url maps /v2/ endpoints to scopes") {
    CHECK(scope_for_url("https://r/v2/_catalog?n=1000") == "registry:catalog:*");
    CHECK(scope_for_url("https://r/v2/a/b/tags/list?n=10") == "repository:a/b:pull");
    CHECK(scope_for_url("https://r/v2/a/manifests/latest") == "repository:a:pull");
    CHECK(scope_for_url("https://r/v2/a/blobs/sha256:00") == "repository:a:pull");
    CHECK(scope_for_url("https://r/artifactory/api/docker/repo/v2/x/y/manifests/1") == "repository:x/y:pull");
    // a repository named "manifests" still resolves by the last marker
    CHECK(scope_for_url("https://r/v2/manifests/manifests/1") == "repository:manifests:pull");
    CHECK(scope_for_url("https://r/v2/") == "");
}

TEST_SUITE_END();
