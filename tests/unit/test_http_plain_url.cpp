#include <doctest/doctest.h>

#include "http/plain_url.hpp"

using regscan::http::plain_url_problem;

TEST_SUITE_BEGIN("http");

TEST_CASE("http::plain_url_problem accepts scheme://host[:port][/path] over http or https") {
    for (const char* plain :
         {"https://reg.example", "http://127.0.0.1:5000", "https://reg.example:8443/repository/docker",
          "https://docker-local.reg.example/", "http://[::1]:5000", "https://[fe80::1]",
          "https://art.example/artifactory/api/docker/docker%2Dlocal", "http://my_registry:5000",
          "https://docker_local.art.example"})
        CHECK_MESSAGE(!plain_url_problem(plain), plain);
}

TEST_CASE("http::plain_url_problem refuses what URL parsers read differently, naming no part of it") {
    struct Case {
        const char* url;
        const char* why;
    };
    for (const Case& c : {Case{"https://a.example#@reg.example", "'@', '#', '?' or '\\'"},
                          Case{"https://user:pw@reg.example", "'@', '#', '?' or '\\'"},
                          Case{"https://reg.example/v2?x=1", "'@', '#', '?' or '\\'"},
                          Case{"https://a.example\\@reg.example", "'@', '#', '?' or '\\'"},
                          Case{"https://reg.example /x", "a space, a control or a non-ASCII byte"},
                          Case{"https://reg\x1b[2J.example", "a space, a control or a non-ASCII byte"},
                          Case{"https://r\xc3\xa9g.example", "a space, a control or a non-ASCII byte"},
                          Case{"reg.example", "does not start with http:// or https://"},
                          Case{"HTTPS://reg.example", "does not start with http:// or https://"},
                          Case{"ftp://reg.example", "does not start with http:// or https://"},
                          Case{"https://", "has no host"},
                          Case{"https:///v2", "has no host"},
                          Case{"https://:5000", "has no host"},
                          Case{"https://reg+example", "its host holds another character"},
                          Case{"https://reg.example:", "its port is empty"},
                          Case{"https://reg.example:99999", "not a number up to 65535"},
                          Case{"https://reg.example:80a", "not a number up to 65535"},
                          Case{"https://reg.example:5000:1", "not a number up to 65535"},
                          Case{"https://[::1", "IPv6 address is not closed"},
                          Case{"https://[]", "IPv6 address is empty"},
                          Case{"https://[::1]x", "followed by something else than a port"},
                          Case{"https://[::g]", "IPv6 address holds another character"}}) {
        auto problem = plain_url_problem(c.url);
        REQUIRE_MESSAGE(problem, c.url);
        CHECK_MESSAGE(problem->find(c.why) != std::string::npos, c.url, " -> ", *problem);
        CHECK(problem->find("example") == std::string::npos);
    }
}

TEST_CASE("http::origin_of leaves the scheme's default port out, so one origin compares equal") {
    using regscan::http::origin_of;
    CHECK(origin_of("https://reg.example:443/v2/") == "https://reg.example");
    CHECK(origin_of("https://Reg.Example") == "https://reg.example");
    CHECK(origin_of("http://reg.example:80") == "http://reg.example");
    CHECK(origin_of("http://reg.example:443") == "http://reg.example:443");
    CHECK(origin_of("https://127.0.0.1:5000/x") == "https://127.0.0.1:5000");
    CHECK(origin_of("reg.example") == "https://reg.example");
}

TEST_CASE("http::same_origin: scheme, host and port, the default port spelt or not") {
    using regscan::http::same_origin;
    CHECK(same_origin("https://reg.example/v2/", "https://REG.example:443/token"));
    CHECK(same_origin("http://127.0.0.1:80/v2/", "http://127.0.0.1/x"));
    CHECK_FALSE(same_origin("https://reg.example/v2/", "http://reg.example/v2/"));
    CHECK_FALSE(same_origin("https://reg.example/v2/", "https://reg.example:5000/v2/"));
    CHECK_FALSE(same_origin("http://reg.example:443/", "https://reg.example/"));
    CHECK_FALSE(same_origin("https://reg.example/", "https://auth.reg.example/"));
}

TEST_CASE("http::curl_reads_differently: curl must reach the origin sdk::parse_url reads, with no credentials in it") {
    using regscan::http::curl_reads_differently;
    for (const char* same : {"https://reg.example/v2/", "http://127.0.0.1:5000/v2/_catalog?n=100&last=a%2Fb",
                             "https://REG.example:443/v2/x", "http://[::1]:5000/v2/", "reg.example/v2/",
                             "https://reg.example/v2/team/app/blobs/sha256:abc"})
        CHECK_MESSAGE(!curl_reads_differently(same), std::string(same));
    // "https://a.example?@reg.example" is read alike: host a.example, "@reg.example" its query.
    CHECK_FALSE(curl_reads_differently("https://a.example?@reg.example/v2/"));
    for (const char* other : {"https://a.example#@reg.example/v2/", "https://a.example\\@reg.example/v2/"}) {
        auto why = curl_reads_differently(other);
        REQUIRE_MESSAGE(why, std::string(other));
        CHECK(why->find("example") == std::string::npos);
    }
    // Spelt otherwise, the same origin: a port with leading zeros, an IPv6 address not in its shortest form.
    for (const char* spelt : {"https://reg.example:0443/v2/", "http://[0:0::1]:5000/v2/",
                              "http://[2001:DB8:0:0:0:0:0:1]:5000/v2/", "http://my_registry:5000/v2/"})
        CHECK_MESSAGE(!curl_reads_differently(spelt), std::string(spelt));
    CHECK(curl_reads_differently("https://user:pw@reg.example/v2/") == "the URL holds credentials before its host");
    CHECK(curl_reads_differently("https://reg.example /v2/"));
}

TEST_CASE("http::credential_destination_problem: the registry's host or a name under it, plain, never downgraded") {
    using regscan::http::credential_destination_problem;
    CHECK_FALSE(credential_destination_problem("https://Reg.Example:5000", "https://reg.example/artifactory"));
    CHECK_FALSE(credential_destination_problem("https://reg.example", "https://DOCKER.reg.example:8443/x"));
    CHECK_FALSE(credential_destination_problem("http://reg.example", "https://reg.example"));
    CHECK(credential_destination_problem("https://reg.example", "http://reg.example") ==
          "drops the https of an https registry");
    CHECK(credential_destination_problem("https://reg.example", "https://reg.example.evil/") ==
          "is on another host than the registry's (neither it nor one under it)");
    CHECK(credential_destination_problem("https://reg.example", "reg.example")->find("not a plain") == 3);
    CHECK(credential_destination_problem("https://reg.example", "https://evil#.reg.example")->find("not a plain") == 3);
    CHECK(credential_destination_problem("http://10.0.0.1", "http://a.10.0.0.1"));
    CHECK(credential_destination_problem("https://reg.example.", "https://a.reg.example."));
    CHECK(credential_destination_problem("", "https://reg.example"));
}

TEST_CASE("http::credential_destination_problem: on the registry's host, its port only when asked") {
    using regscan::http::credential_destination_problem;
    constexpr auto only = regscan::http::RegistryHostPorts::registry_port_only;
    CHECK_FALSE(credential_destination_problem("https://reg.example:5000", "https://reg.example:8443"));
    CHECK(credential_destination_problem("https://reg.example:5000", "https://reg.example:8443", only) ==
          "is on another port of the registry's host");
    CHECK(credential_destination_problem("https://reg.example", "https://reg.example:8443/v2", only));
    // No port is the scheme's default; a leading zero names the same port, as curl reads it.
    CHECK_FALSE(credential_destination_problem("https://reg.example", "https://reg.example:443/v2", only));
    CHECK_FALSE(credential_destination_problem("https://reg.example:443", "https://REG.example/x", only));
    CHECK_FALSE(credential_destination_problem("https://reg.example:5000", "https://reg.example:05000", only));
    CHECK_FALSE(credential_destination_problem("http://127.0.0.1", "http://127.0.0.1:80", only));
    CHECK(credential_destination_problem("http://127.0.0.1", "http://127.0.0.1:443", only));
    // A name under the registry's host is another host: any port of it.
    CHECK_FALSE(credential_destination_problem("https://reg.example", "https://pull.reg.example:8443", only));
}
