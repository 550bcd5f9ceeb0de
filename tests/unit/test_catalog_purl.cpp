#include <doctest/doctest.h>

#include "catalog/purl.hpp"

using namespace regscan::catalog;

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::purl encodes as purl-spec says") {
    CHECK(purl::encode("1:2.36-9+deb12u4") == "1:2.36-9%2Bdeb12u4");
    CHECK(purl::encode("@scope") == "%40scope");
    CHECK(purl::encode("a/b c") == "a%2Fb%20c");
    CHECK(purl::encode("github.com/x", true) == "github.com/x");
    CHECK(purl::encode("1.0~rc1_x") == "1.0~rc1_x");
}

TEST_CASE("catalog::purl makes purls with sorted, non-empty qualifiers") {
    CHECK(purl::make("deb", "debian", "libc6", "2.36-9+deb12u4", {{"distro", "debian-12"}, {"arch", "amd64"}}) ==
          "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
    CHECK(purl::make("rpm", "", "bash", "5.1-2", {{"epoch", ""}, {"arch", "x86_64"}}) ==
          "pkg:rpm/bash@5.1-2?arch=x86_64");
    CHECK(purl::make("npm", "", "lodash", "") == "pkg:npm/lodash");
}

TEST_CASE("catalog::purl sets the namespace and one qualifier of a purl") {
    CHECK(purl::with_namespace_and_qualifier("pkg:deb/debian/libc6@2.36-9?arch=amd64", "ubuntu", "distro",
                                             "ubuntu-22.04") == "pkg:deb/ubuntu/libc6@2.36-9?arch=amd64&distro=ubuntu-22.04");
    CHECK(purl::with_namespace_and_qualifier("pkg:rpm/bash@5.1-2?arch=x86_64&epoch=1", "almalinux", "distro",
                                             "almalinux-9.3") ==
          "pkg:rpm/almalinux/bash@5.1-2?arch=x86_64&distro=almalinux-9.3&epoch=1");
    CHECK(purl::with_namespace_and_qualifier("pkg:apk/alpine/musl@1.2.4-r2?distro=old", "", "distro", "alpine-3.18.4") ==
          "pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.18.4");
    CHECK(purl::with_namespace_and_qualifier("pkg:rpm/bash@5.1-2", "rocky", "distro", "rocky-9") ==
          "pkg:rpm/rocky/bash@5.1-2?distro=rocky-9");
    CHECK(purl::with_namespace_and_qualifier("", "x", "distro", "y") == "");
}

TEST_CASE("catalog::purl::parse splits type, namespace, name, version and qualifiers, decoding each") {
    auto p = purl::parse("pkg:npm/%40babel/core@7.0.0?arch=x86_64#sub/path");
    REQUIRE(p);
    CHECK(p->type == "npm");
    CHECK(p->namespace_ == "@babel");
    CHECK(p->name == "core");
    CHECK(p->version == "7.0.0");
    CHECK(p->qualifiers.at("arch") == "x86_64");
    auto deb = purl::parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
    REQUIRE(deb);
    CHECK(deb->version == "2.36-9+deb12u4");
    auto rpm = purl::parse("pkg:rpm/almalinux/openssl@3.0.7-1.el9?epoch=1");
    REQUIRE(rpm);
    CHECK(rpm->version == "1:3.0.7-1.el9");
    CHECK_FALSE(purl::parse("CVE-2023-1234"));
    CHECK_FALSE(purl::parse("pkg:npm"));
    CHECK_FALSE(purl::parse("pkg:npm/bad%zzname"));
}

TEST_CASE("catalog::purl::package_name writes the name as the ecosystem does") {
    auto name = [](const char* text) { return purl::package_name(*purl::parse(text)); };
    CHECK(name("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1") == "org.apache.logging.log4j:log4j-core");
    CHECK(name("pkg:npm/%40babel/core@7.0.0") == "@babel/core");
    CHECK(name("pkg:golang/github.com/x/net@v0.1.0") == "github.com/x/net");
    CHECK(name("pkg:composer/laravel/framework@10.0.0") == "laravel/framework");
    CHECK(name("pkg:deb/debian/libc6@2.36-9") == "libc6");  // the namespace is the distribution
    CHECK(name("pkg:pypi/django@4.2") == "django");
}

TEST_SUITE_END();
