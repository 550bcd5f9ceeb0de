#include <doctest/doctest.h>

#include "regscan/url.hpp"

using namespace regscan::sdk;

TEST_SUITE_BEGIN("sdk");

TEST_CASE("sdk::parse_url splits scheme, host, port and path") {
    auto u = parse_url("HTTPS://User:pw@Reg.Example:5443/prefix/v2/?x=1");
    CHECK(u.scheme == "https");
    CHECK(u.host == "reg.example");
    CHECK(u.port == "5443");
    CHECK(u.path == "/prefix/v2/?x=1");
    CHECK(u.authority() == "reg.example:5443");
    auto v6 = parse_url("http://[::1]:5000");
    CHECK(v6.host == "[::1]");
    CHECK(v6.port == "5000");
    CHECK(parse_url("reg.example").scheme == "https");
}

TEST_CASE("sdk::registry_base keeps a path prefix and drops /v2") {
    CHECK(registry_base("http://127.0.0.1:5000") == "http://127.0.0.1:5000");
    CHECK(registry_base("http://127.0.0.1:5000/") == "http://127.0.0.1:5000");
    CHECK(registry_base("https://r/v2/") == "https://r");
    CHECK(registry_base("https://r/artifactory/api/docker/repo") == "https://r/artifactory/api/docker/repo");
}

TEST_CASE("sdk::next_link finds rel=next among several links") {
    CHECK(next_link(R"(</v2/_catalog?last=b&n=2>; rel="next")") == "/v2/_catalog?last=b&n=2");
    CHECK(next_link(R"(<https://x/p?a=1>; rel="prev", <https://x/p?a=3>; rel="next")") == "https://x/p?a=3");
    CHECK(next_link(R"(<https://x/p>; rel=next)") == "https://x/p");
    CHECK(next_link(R"(<https://x/p>; rel="prev")") == "");
    CHECK(next_link("") == "");
}

TEST_CASE("sdk::resolve_url handles absolute, path and query references") {
    CHECK(resolve_url("http://h:1/v2/_catalog?n=5", "/v2/_catalog?last=x") == "http://h:1/v2/_catalog?last=x");
    CHECK(resolve_url("http://h:1/v2/_catalog?n=5", "https://o/p") == "https://o/p");
    CHECK(resolve_url("http://h:1/v2/_catalog?n=5", "?last=y") == "http://h:1/v2/_catalog?last=y");
    CHECK(resolve_url("http://h/a/b", "c") == "http://h/a/c");
}

TEST_CASE("sdk::url_encode escapes reserved characters") {
    CHECK(url_encode("repository:a/b:pull") == "repository%3Aa%2Fb%3Apull");
    CHECK(url_encode("A-z_0.~") == "A-z_0.~");
}

TEST_SUITE_END();
