#include <doctest/doctest.h>

#include "engine/image_run.hpp"

using regscan::engine::parse_image_reference;

TEST_SUITE_BEGIN("engine");

TEST_CASE("engine::parse_image_reference reads a reference without a registry as docker does") {
    auto official = parse_image_reference("alpine:3.19");
    CHECK(official.registry_url == "https://registry-1.docker.io");
    CHECK(official.repository == "library/alpine");
    CHECK(official.tag == "3.19");

    auto user = parse_image_reference("bitnami/nginx");
    CHECK(user.registry_url == "https://registry-1.docker.io");
    CHECK(user.repository == "bitnami/nginx");
    CHECK(user.tag == "latest");

    auto pinned = parse_image_reference("alpine@sha256:0123");
    CHECK(pinned.repository == "library/alpine");
    CHECK(pinned.digest == "sha256:0123");
    CHECK(pinned.tag.empty());
}

TEST_CASE("engine::parse_image_reference takes a first component with a dot, a port or localhost as the registry") {
    auto dotted = parse_image_reference("reg.example/team/app:1.0");
    CHECK(dotted.registry_url == "https://reg.example");
    CHECK(dotted.repository == "team/app");
    CHECK(dotted.tag == "1.0");

    auto port = parse_image_reference("127.0.0.1:5000/app");
    CHECK(port.registry_url == "https://127.0.0.1:5000");
    CHECK(port.repository == "app");

    CHECK(parse_image_reference("localhost/app:2").registry_url == "https://localhost");
    auto plain = parse_image_reference("http://127.0.0.1:5000/team/app:1");
    CHECK(plain.registry_url == "http://127.0.0.1:5000");
    CHECK(plain.repository == "team/app");
    // with a scheme, the first component is always the registry
    CHECK(parse_image_reference("https://mirror/app").registry_url == "https://mirror");
}

TEST_CASE("engine::parse_image_reference refuses other schemes and malformed references at once") {
    CHECK_THROWS_WITH(parse_image_reference("ftp://reg.example/app"),
                      doctest::Contains("unsupported URL scheme 'ftp'"));
    CHECK_THROWS(parse_image_reference("https://reg.example"));
    CHECK_THROWS(parse_image_reference("reg.example/app/"));
    CHECK_THROWS(parse_image_reference("reg.example/app@md5:00"));
}

TEST_CASE("engine::parse_image_reference reads oci:DIR[:REF] as a local layout, refuses other local inputs") {
    auto plain = parse_image_reference("oci:/nonexistent/layout");
    CHECK(plain.oci_layout == "/nonexistent/layout");
    CHECK(plain.oci_ref == "");
    CHECK(plain.tag == "latest");
    auto named = parse_image_reference("oci:layout:v1.2");
    CHECK(named.oci_layout == "layout");
    CHECK(named.oci_ref == "v1.2");
    CHECK(named.tag == "v1.2");
    CHECK(parse_image_reference("oci:/a/b:c/d").oci_layout == "/a/b:c/d");  // a ':' before a '/' is no REF
    CHECK_THROWS_WITH_AS(parse_image_reference("oci:"), doctest::Contains("needs a directory"), regscan::app::Fatal);
    CHECK(parse_image_reference("docker-archive:/tmp/app.tar").docker_archive == "/tmp/app.tar");
    auto sbom = parse_image_reference("sbom:/tmp/my app.cdx.json");
    CHECK(sbom.sbom == "/tmp/my app.cdx.json");
    CHECK(sbom.registry_url == "http://sbom");
    CHECK(sbom.repository == "sbom");
    CHECK(sbom.tag == "my_app.cdx.json");
    CHECK_THROWS_WITH_AS(parse_image_reference("sbom:"), doctest::Contains("needs a file"), regscan::app::Fatal);
    CHECK(parse_image_reference("sbom:5000/team/app:1").registry_url == "https://sbom:5000");
    for (const char* local : {"oci-archive:x.tar", "dir:x"}) {
        CAPTURE(local);
        CHECK_THROWS_WITH_AS(parse_image_reference(local), doctest::Contains("local input"), regscan::app::Fatal);
    }
    // A registry host that happens to be called oci, with a port.
    auto host = parse_image_reference("oci:5000/team/app:1");
    CHECK(host.registry_url == "https://oci:5000");
    CHECK(host.repository == "team/app");
    CHECK(host.oci_layout.empty());
}
