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

TEST_SUITE_END();
