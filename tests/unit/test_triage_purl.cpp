#include <doctest/doctest.h>

#include "triage/purl.hpp"

using regscan::catalog::purl::parse;
using regscan::triage::purl_matches_image;
using regscan::triage::purl_matches_package;

namespace {

regscan::scan::Vulnerability finding(const std::string& ecosystem, const std::string& name, const std::string& version,
                                     const std::string& source = "", const std::string& source_version = "") {
    regscan::scan::Vulnerability v;
    v.id = "CVE-2023-0001";
    v.ecosystem = ecosystem;
    v.package_name = name;
    v.package_version = version;
    v.source_package = source;
    v.source_version = source_version;
    return v;
}

bool matches(const std::string& purl, const regscan::scan::Vulnerability& v) {
    auto parsed = parse(purl);
    REQUIRE(parsed);
    return purl_matches_package(*parsed, v);
}

}  // namespace

TEST_SUITE_BEGIN("triage");

TEST_CASE("triage::purl_matches_package compares type, name, distribution and version") {
    auto libc = finding("Debian:12", "libc6", "2.36-9+deb12u4", "glibc", "2.36-9+deb12u4");
    CHECK(matches("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64", libc));
    CHECK(matches("pkg:deb/debian/libc6", libc));           // no version: any
    CHECK(matches("pkg:deb/libc6", libc));                  // no namespace: any distribution
    CHECK(matches("pkg:deb/debian/glibc@2.36-9%2Bdeb12u4", libc));  // the source package
    CHECK_FALSE(matches("pkg:deb/debian/libc6@2.36-9", libc));      // another version
    CHECK_FALSE(matches("pkg:deb/ubuntu/libc6", libc));             // another distribution
    CHECK_FALSE(matches("pkg:rpm/debian/libc6", libc));             // another type
    CHECK_FALSE(matches("pkg:deb/debian/libc-bin", libc));
    CHECK(matches("pkg:npm/%40babel/core@7.0.0", finding("npm", "@babel/core", "7.0.0")));
    CHECK_FALSE(matches("pkg:npm/core@7.0.0", finding("npm", "@babel/core", "7.0.0")));
    CHECK(matches("pkg:pypi/Django_Rest.Framework@3.1", finding("PyPI", "django-rest-framework", "3.1")));
    CHECK(matches("pkg:golang/github.com/foo/bar@v1.2.3", finding("Go", "github.com/foo/bar", "v1.2.3")));
    CHECK(matches("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                  finding("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")));
    CHECK(matches("pkg:rpm/almalinux/openssl@3.0.7-1.el9", finding("AlmaLinux:9", "openssl", "0:3.0.7-1.el9")));
    CHECK_FALSE(matches("pkg:npm/left-pad", finding("crates.io", "left-pad", "1.0")));  // no purl type known
}

TEST_CASE("triage::purl_matches_image compares the name, digest, repository_url and tag") {
    regscan::scan::ImageResult image;
    image.registry = "127.0.0.1:5000";
    image.repository = "team/api";
    image.tag = "1.0";
    image.digest = "sha256:abc";
    auto check = [&](const std::string& text) {
        auto purl = parse(text);
        REQUIRE(purl);
        return purl_matches_image(*purl, image);
    };
    CHECK(check("pkg:oci/api"));
    CHECK(check("pkg:oci/api@sha256%3Aabc?repository_url=127.0.0.1:5000/team/api&tag=1.0"));
    CHECK(check("pkg:oci/api?repository_url=https://127.0.0.1:5000/team/api/"));
    CHECK_FALSE(check("pkg:oci/api@sha256%3Adef"));
    CHECK_FALSE(check("pkg:oci/api?repository_url=127.0.0.1:5000/other/api"));
    CHECK_FALSE(check("pkg:oci/api?tag=2.0"));
    CHECK_FALSE(check("pkg:oci/web"));
    CHECK_FALSE(check("pkg:deb/debian/api"));
}

TEST_SUITE_END();
