#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "../fixtures/catalog/support.hpp"
#include "catalog/dpkg_cataloger.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

namespace {

// "name version source source-version", sorted, as dpkg-query prints them.
std::vector<std::string> lines_of(const std::vector<regscan::scan::Package>& packages) {
    std::vector<std::string> lines;
    for (const auto& p : packages) lines.push_back(p.name + " " + p.version + " " + p.source_name + " " + p.source_version);
    std::sort(lines.begin(), lines.end());
    return lines;
}

// dpkg-query itself, over the database in `admindir`: packages whose files
// are on disk (every state but not-installed and config-files).
std::vector<std::string> dpkg_query(const std::string& admindir) {
    std::string out = run("dpkg-query --admindir='" + admindir +
                          "' -W -f='${db:Status-Status} ${Package} ${Version} ${source:Package} ${source:Version}\\n'");
    std::vector<std::string> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        std::string state = line.substr(0, line.find(' '));
        if (state == "not-installed" || state == "config-files") continue;
        lines.push_back(line.substr(state.size() + 1));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::dpkg reads this machine's status exactly as dpkg-query does") {
    FileFacts facts = analyse(DpkgCataloger(), "/var/lib/dpkg/status", read_file("/var/lib/dpkg/status"));
    std::vector<std::string> expected = dpkg_query("/var/lib/dpkg");
    REQUIRE(expected.size() > 100);
    CHECK(lines_of(facts.packages) == expected);
}

TEST_CASE("catalog::dpkg reads claircore's texlive status exactly as dpkg-query does") {
    std::string status = shared_dir + "/reference/package-dbs/dpkg/texlive.status";
    std::string admindir = run("mktemp -d");
    admindir.pop_back();
    run("cp '" + status + "' '" + admindir + "/status' && mkdir '" + admindir + "/updates' '" + admindir + "/info'");
    FileFacts facts = analyse(DpkgCataloger(), "/var/lib/dpkg/status", read_file(status));
    std::vector<std::string> expected = dpkg_query(admindir);
    run("rm -r '" + admindir + "'");
    CHECK(expected.size() == 357);
    CHECK(lines_of(facts.packages) == expected);

    const auto& quadmath = package_named(facts.packages, "libquadmath0");
    CHECK(quadmath.version == "8.4.0-1ubuntu1~18.04");
    CHECK(quadmath.source_name == "gcc-8");
    CHECK(quadmath.source_version == "8.4.0-1ubuntu1~18.04");
    CHECK(quadmath.type == "deb");
    CHECK(quadmath.ecosystem.empty());  // known only once os-release is folded in
    CHECK(quadmath.location == "/var/lib/dpkg/status");
    CHECK(quadmath.purl == "pkg:deb/debian/libquadmath0@8.4.0-1ubuntu1~18.04?arch=amd64&upstream=gcc-8");
    // Depends: gcc-8-base (= ...), libc6 (>= 2.23): both installed.
    CHECK(quadmath.depends_on == std::vector<std::string>{"gcc-8-base", "libc6"});
}

TEST_CASE("catalog::dpkg leaves out removed and purged packages") {
    std::string status =
        "Package: gone\nStatus: purge ok not-installed\nArchitecture: amd64\n\n"
        "Package: conf-only\nStatus: deinstall ok config-files\nVersion: 1.0\nArchitecture: amd64\n\n"
        "Package: held\nStatus: hold ok installed\nVersion: 2:1.0-1\nSource: upstream (1.0-1)\nArchitecture: all\n\n"
        "Package: kept\nStatus: install ok installed\nVersion: 3.1\nArchitecture: amd64\n";
    FileFacts facts = analyse(DpkgCataloger(), "/var/lib/dpkg/status", status);
    REQUIRE(facts.packages.size() == 2);
    CHECK(facts.packages[0].name == "held");
    CHECK(facts.packages[0].version == "2:1.0-1");
    CHECK(facts.packages[0].source_name == "upstream");
    CHECK(facts.packages[0].source_version == "1.0-1");
    CHECK(facts.packages[0].purl == "pkg:deb/debian/held@2:1.0-1?arch=all&upstream=upstream%401.0-1");
    CHECK(facts.packages[1].name == "kept");
    CHECK(facts.packages[1].source_name == "kept");
    CHECK(facts.packages[1].source_version == "3.1");
}

TEST_CASE("catalog::dpkg reads distroless status.d files, one package each") {
    DpkgCataloger cataloger;
    std::string dir = fixture_dir + "/dpkg/status.d/";
    FileFacts ssl = analyse(cataloger, "/var/lib/dpkg/status.d/libssl3", read_file(dir + "libssl3"));
    REQUIRE(ssl.packages.size() == 1);
    CHECK(ssl.packages[0].name == "libssl3");
    CHECK(ssl.packages[0].version == "3.0.22-1~deb12u2");
    CHECK(ssl.packages[0].source_name == "openssl");
    CHECK(ssl.packages[0].source_version == "3.0.22-1~deb12u2");
    CHECK(ssl.packages[0].location == "/var/lib/dpkg/status.d/libssl3");

    FileFacts bsdutils = analyse(cataloger, "/var/lib/dpkg/status.d/bsdutils", read_file(dir + "bsdutils"));
    REQUIRE(bsdutils.packages.size() == 1);
    CHECK(bsdutils.packages[0].version == "1:2.38.1-5+deb12u3");
    CHECK(bsdutils.packages[0].source_name == "util-linux");
    CHECK(bsdutils.packages[0].source_version == "2.38.1-5+deb12u3");
    CHECK(bsdutils.packages[0].purl ==
          "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&upstream=util-linux%402.38.1-5%2Bdeb12u3");

    FileFacts tzdata = analyse(cataloger, "/var/lib/dpkg/status.d/tzdata", read_file(dir + "tzdata"));
    REQUIRE(tzdata.packages.size() == 1);
    CHECK(tzdata.packages[0].source_name == "tzdata");
}

TEST_CASE("catalog::dpkg wants status and status.d entries but not md5sums") {
    DpkgCataloger cataloger;
    CHECK(cataloger.wants({"/var/lib/dpkg/status", 1, 0100644}));
    CHECK(cataloger.wants({"/var/lib/dpkg/status.d/libssl3", 1, 0100644}));
    CHECK_FALSE(cataloger.wants({"/var/lib/dpkg/status.d/libssl3.md5sums", 1, 0100644}));
    CHECK_FALSE(cataloger.wants({"/var/lib/dpkg/status-old", 1, 0100644}));
    CHECK_FALSE(cataloger.wants({"/var/lib/dpkg/status.d/sub/x", 1, 0100644}));
    CHECK_FALSE(cataloger.wants({"/var/lib/dpkg/available", 1, 0100644}));
}

TEST_CASE("catalog::dpkg refuses a package with no version") {
    FileFacts facts;
    std::string status = "Package: broken\nStatus: install ok installed\n";
    CHECK_THROWS_WITH_AS(DpkgCataloger().analyse({"/var/lib/dpkg/status", status.size(), 0100644}, status, facts),
                         "/var/lib/dpkg/status: package broken has no Version", std::runtime_error);
}

TEST_SUITE_END();
