#include <doctest/doctest.h>

#include <vector>

#include "../fixtures/catalog/support.hpp"
#include "catalog/apk_cataloger.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::apk reads apk-tools' Alpine 3.21 installed database") {
    std::string installed = read_file(shared_dir + "/reference/package-dbs/apk/query-installed.data");
    FileFacts facts = analyse(ApkCataloger(), "/lib/apk/db/installed", installed);
    std::vector<std::string> names;
    for (const auto& p : facts.packages) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{
                       "alpine-base", "alpine-baselayout", "alpine-baselayout-data", "alpine-conf", "alpine-keys",
                       "alpine-release", "apk-tools", "apk-tools-doc", "bash", "bash-doc", "busybox", "busybox-binsh",
                       "busybox-doc", "busybox-mdev-openrc", "busybox-openrc", "busybox-suid",
                       "ca-certificates-bundle", "docs", "ifupdown-ng", "ifupdown-ng-doc", "libcap2", "libcrypto3",
                       "libncursesw", "libssl3", "man-pages", "mandoc", "mandoc-doc", "mdev-conf", "musl",
                       "musl-utils", "ncurses-terminfo-base", "openrc", "openrc-doc", "readline", "readline-doc",
                       "scanelf", "ssl_client", "zlib", "zlib-doc"});

    const auto& crypto = facts.packages[21];
    CHECK(crypto.name == "libcrypto3");
    CHECK(crypto.version == "3.3.3-r0");
    CHECK(crypto.source_name == "openssl");  // OSV's Alpine records name the origin
    CHECK(crypto.source_version == "3.3.3-r0");
    CHECK(crypto.type == "apk");
    CHECK(crypto.location == "/lib/apk/db/installed");
    CHECK(crypto.purl == "pkg:apk/alpine/libcrypto3@3.3.3-r0?arch=x86_64&upstream=openssl");
    CHECK(crypto.licenses == std::vector<std::string>{"Apache-2.0"});
    CHECK(crypto.depends_on == std::vector<std::string>{"musl"});  // so:libc.musl-x86_64.so.1

    const auto& ncurses = facts.packages[22];
    CHECK(ncurses.name == "libncursesw");
    CHECK(ncurses.version == "6.5_p20241006-r3");
    CHECK(ncurses.source_name == "ncurses");
    CHECK(facts.packages[0].source_name == "alpine-base");
}

TEST_CASE("catalog::apk wants only the installed database") {
    ApkCataloger cataloger;
    CHECK(cataloger.wants({"/lib/apk/db/installed", 1, 0100644}));
    CHECK_FALSE(cataloger.wants({"/lib/apk/db/triggers", 1, 0100644}));
    CHECK(cataloger.wants({"/usr/lib/apk/db/installed", 1, 0100644}));
    CHECK_FALSE(cataloger.wants({"/lib/apk/db/installed.old", 1, 0100644}));
}

TEST_CASE("catalog::apk refuses a package with no version") {
    FileFacts facts;
    std::string installed = "P:musl\nA:x86_64\n";
    CHECK_THROWS_WITH_AS(ApkCataloger().analyse({"/lib/apk/db/installed", installed.size(), 0100644}, installed, facts),
                         "/lib/apk/db/installed: package musl has no V: line", std::runtime_error);
}

TEST_SUITE_END();
