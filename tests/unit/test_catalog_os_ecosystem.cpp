#include <doctest/doctest.h>

#include <vector>

#include "catalog/cataloger.hpp"

using namespace regscan::catalog;
using regscan::scan::OsRelease;
using regscan::scan::Package;

namespace {

Package package(const std::string& type, const std::string& purl, const std::string& ecosystem = "") {
    Package p;
    p.type = type;
    p.name = "x";
    p.purl = purl;
    p.ecosystem = ecosystem;
    return p;
}

// The ecosystem and purl one OS package of `type` gets under `os`.
std::pair<std::string, std::string> assigned(const std::string& type, const std::string& purl, const OsRelease& os) {
    std::vector<Package> packages{package(type, purl)};
    assign_os_ecosystem(packages, os);
    return {packages[0].ecosystem, packages[0].purl};
}

OsRelease os(std::string id, std::string version_id, std::string pretty = "", std::string like = "",
             std::string codename = "") {
    OsRelease o;
    o.id = std::move(id);
    o.version_id = std::move(version_id);
    o.pretty_name = std::move(pretty);
    o.id_like = std::move(like);
    o.version_codename = std::move(codename);
    return o;
}

const std::string deb = "pkg:deb/debian/libc6@2.36-9?arch=amd64";
const std::string apk = "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64";
const std::string rpm = "pkg:rpm/bash@5.1.8-6.el9?arch=x86_64";

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::assign_os_ecosystem names Debian and Ubuntu releases as OSV does") {
    CHECK(assigned("deb", deb, os("debian", "12", "Debian GNU/Linux 12 (bookworm)")) ==
          std::pair<std::string, std::string>{"Debian:12", "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12"});
    CHECK(assigned("deb", deb, os("debian", "", "Debian GNU/Linux trixie/sid", "", "trixie")).first == "Debian:13");
    CHECK(assigned("deb", deb, os("ubuntu", "22.04", "Ubuntu 22.04.3 LTS", "debian")) ==
          std::pair<std::string, std::string>{"Ubuntu:22.04:LTS",
                                              "pkg:deb/ubuntu/libc6@2.36-9?arch=amd64&distro=ubuntu-22.04"});
    CHECK(assigned("deb", deb, os("ubuntu", "24.04", "", "debian")).first == "Ubuntu:24.04:LTS");
    CHECK(assigned("deb", deb, os("ubuntu", "23.10", "Ubuntu 23.10", "debian")).first == "Ubuntu:23.10");
}

TEST_CASE("catalog::assign_os_ecosystem names Alpine branches with their v prefix") {
    CHECK(assigned("apk", apk, os("alpine", "3.18.4")) ==
          std::pair<std::string, std::string>{"Alpine:v3.18",
                                              "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4"});
    CHECK(assigned("apk", apk, os("alpine", "3.21.0_alpha20240923")).first == "Alpine:v3.21");
    CHECK(assigned("apk", apk, os("wolfi", "20230201")).first == "Wolfi");
}

TEST_CASE("catalog::assign_os_ecosystem names the rpm distributions OSV has") {
    CHECK(assigned("rpm", rpm, os("almalinux", "9.3", "", "rhel centos fedora")) ==
          std::pair<std::string, std::string>{"AlmaLinux:9",
                                              "pkg:rpm/almalinux/bash@5.1.8-6.el9?arch=x86_64&distro=almalinux-9.3"});
    CHECK(assigned("rpm", rpm, os("rocky", "9.3", "", "rhel centos fedora")).first == "Rocky Linux:9");
    CHECK(assigned("rpm", rpm, os("rhel", "9.3")) ==
          std::pair<std::string, std::string>{"Red Hat", "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3"});
    CHECK(assigned("rpm", rpm, os("opensuse-leap", "15.5", "openSUSE Leap 15.5", "suse opensuse")).first ==
          "openSUSE:Leap 15.5");
    CHECK(assigned("rpm", rpm, os("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5", "suse")).first ==
          "SUSE:Linux Enterprise Server 15 SP5");
    CHECK(assigned("rpm", rpm, os("photon", "5.0")).first == "Photon OS:5.0");
}

TEST_CASE("catalog::assign_os_ecosystem leaves an ecosystem empty where OSV has none") {
    // Fedora: rpm, no OSV data; the purl still gets its distro.
    CHECK(assigned("rpm", rpm, os("fedora", "39")) ==
          std::pair<std::string, std::string>{"", "pkg:rpm/fedora/bash@5.1.8-6.el9?arch=x86_64&distro=fedora-39"});
    CHECK(assigned("deb", deb, os("linuxmint", "21.2", "", "ubuntu debian")) ==
          std::pair<std::string, std::string>{"", "pkg:deb/linuxmint/libc6@2.36-9?arch=amd64&distro=linuxmint-21.2"});
}

TEST_CASE("catalog::assign_os_ecosystem touches only packages of the OS's own family") {
    std::vector<Package> packages{package("deb", deb), package("npm", "pkg:npm/lodash@4.17.20", "npm"),
                                  package("rpm", rpm)};
    assign_os_ecosystem(packages, os("debian", "12"));
    CHECK(packages[0].ecosystem == "Debian:12");
    CHECK(packages[1].ecosystem == "npm");
    CHECK(packages[1].purl == "pkg:npm/lodash@4.17.20");
    CHECK(packages[2].ecosystem == "");  // an rpm database in a Debian image
    CHECK(packages[2].purl == rpm);

    std::vector<Package> unknown{package("deb", deb)};
    assign_os_ecosystem(unknown, std::nullopt);
    CHECK(unknown[0].ecosystem == "");
    CHECK(unknown[0].purl == deb);
}

TEST_SUITE_END();
