#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "../fixtures/catalog/support.hpp"
#include "catalog/dpkg_cataloger.hpp"
#include "catalog/license.hpp"
#include "catalog/npm_cataloger.hpp"
#include "catalog/python_cataloger.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;
using Strings = std::vector<std::string>;

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::license::spdx_id maps Debian, RPM and classifier names to SPDX ids") {
    CHECK(license::spdx_id("GPL-2+") == "GPL-2.0-or-later");
    CHECK(license::spdx_id("GPL-2") == "GPL-2.0-only");
    CHECK(license::spdx_id("LGPL-2.1+") == "LGPL-2.1-or-later");
    CHECK(license::spdx_id("Expat") == "MIT");
    CHECK(license::spdx_id("BSD-3-clause") == "BSD-3-Clause");
    CHECK(license::spdx_id("mit") == "MIT");
    CHECK(license::spdx_id("License :: OSI Approved :: MIT License") == "MIT");
    CHECK(license::spdx_id("Apache-2") == "Apache-2.0");
    CHECK(license::spdx_id("public-domain").empty());
    CHECK(license::spdx_id("Some Custom License").empty());
}

TEST_CASE("catalog::license::spdx_expression accepts only expressions of known ids") {
    CHECK(license::spdx_expression("MIT OR Apache-2.0") == "MIT OR Apache-2.0");
    CHECK(license::spdx_expression("mit and (bsd-2-clause or gpl-2.0-only)") == "MIT AND (BSD-2-Clause OR GPL-2.0-only)");
    CHECK(license::spdx_expression("GPL-2.0-only WITH Classpath-exception-2.0") ==
          "GPL-2.0-only WITH Classpath-exception-2.0");
    CHECK(license::spdx_expression("MIT OR").empty());
    CHECK(license::spdx_expression("(MIT").empty());
    CHECK(license::spdx_expression("Some License").empty());
    CHECK(license::license_ref("Some License/v2") == "LicenseRef-Some-License-v2");
}

TEST_CASE("catalog::license reads a machine-readable Debian copyright file's License fields") {
    std::string copyright =
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: zlib\n\n"
        "Files: *\nCopyright: 1995 Jean-loup Gailly\nLicense: Zlib\n\n"
        "Files: debian/*\nLicense: GPL-2+ or Artistic\n\n"
        "License: Zlib\n This software is provided 'as-is'\n License: not-a-field\n";
    CHECK(license::debian_copyright_licenses(copyright) == Strings{"Zlib", "GPL-2+", "Artistic"});
    // Older free-form files point at the common licenses.
    CHECK(license::debian_copyright_licenses("see /usr/share/common-licenses/GPL-2. and "
                                             "/usr/share/common-licenses/LGPL-2.1\n") ==
          Strings{"GPL-2", "LGPL-2.1"});
    // Bounded: only the first bytes are read.
    std::string big = "Format: x\n" + std::string(600 * 1024, 'a') + "\nLicense: MIT\n";
    CHECK(license::debian_copyright_licenses(big).empty());
}

TEST_CASE("catalog::dpkg declares a package's licenses from /usr/share/doc/<package>/copyright") {
    DpkgCataloger cataloger;
    CHECK(cataloger.wants({"/usr/share/doc/libc6/copyright", 10, 0644}));
    CHECK_FALSE(cataloger.wants({"/usr/share/doc/libc6/sub/copyright", 10, 0644}));
    FileFacts facts = analyse(cataloger, "/usr/share/doc/libc6/copyright",
                              "Format: https://x/\n\nFiles: *\nLicense: LGPL-2.1+\n");
    CHECK(facts.packages.empty());
    CHECK(facts.licensed_type == "deb");
    CHECK(facts.licensed_package == "libc6");
    CHECK(facts.licenses == Strings{"LGPL-2.1+"});
}

TEST_CASE("catalog::dpkg resolves Depends and Pre-Depends to installed packages, by name or Provides") {
    std::string status =
        "Package: app\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n"
        "Pre-Depends: dpkg (>= 1.0)\nDepends: libc6 (>= 2.34), mail-transport-agent | exim4, missing, python3:any\n\n"
        "Package: libc6\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n\n"
        "Package: dpkg\nStatus: install ok installed\nVersion: 3\nArchitecture: amd64\nDepends: libc6\n\n"
        "Package: postfix\nStatus: install ok installed\nVersion: 4\nArchitecture: amd64\nProvides: mail-transport-agent\n\n"
        "Package: python3\nStatus: install ok installed\nVersion: 5\nArchitecture: amd64\n";
    FileFacts facts = analyse(DpkgCataloger(), "/var/lib/dpkg/status", status);
    REQUIRE(facts.packages.size() == 5);
    CHECK(facts.packages[0].depends_on == Strings{"dpkg", "libc6", "postfix", "python3"});
    CHECK(facts.packages[2].depends_on == Strings{"libc6"});
    CHECK(facts.packages[1].depends_on.empty());
}

TEST_CASE("catalog::npm reads license and dependencies of installed packages and lockfile entries") {
    FileFacts installed = analyse(NpmCataloger(), "/app/node_modules/left-pad/package.json",
                                  R"({"name":"left-pad","version":"1.3.0","license":"WTFPL",
                                      "dependencies":{"a":"^1","b":"2"}})");
    REQUIRE(installed.packages.size() == 1);
    CHECK(installed.packages[0].licenses == Strings{"WTFPL"});
    CHECK(installed.packages[0].depends_on == Strings{"a", "b"});
    FileFacts old = analyse(NpmCataloger(), "/app/node_modules/old/package.json",
                            R"({"name":"old","version":"1.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]})");
    CHECK(old.packages[0].licenses == Strings{"MIT", "Apache-2.0"});
    FileFacts lock = analyse(NpmCataloger(), "/app/package-lock.json",
                             R"({"lockfileVersion":3,"packages":{"":{"name":"app"},
                                 "node_modules/x":{"version":"1.0.0","license":"ISC","dependencies":{"y":"1"}}}})");
    REQUIRE(lock.packages.size() == 1);
    CHECK(lock.packages[0].licenses == Strings{"ISC"});
    CHECK(lock.packages[0].depends_on == Strings{"y"});
}

TEST_CASE("catalog::python prefers License-Expression, then a short License, then classifiers") {
    PythonCataloger cataloger;
    std::string path = "/usr/lib/python3/site-packages/x-1.0.dist-info/METADATA";
    auto licenses_of = [&](const std::string& headers) {
        return analyse(cataloger, path, "Metadata-Version: 2.4\nName: x\nVersion: 1.0\n" + headers + "\nbody\n")
            .packages.at(0)
            .licenses;
    };
    CHECK(licenses_of("License-Expression: MIT OR Apache-2.0\nLicense: BSD\n") == Strings{"MIT OR Apache-2.0"});
    CHECK(licenses_of("License: BSD-3-Clause\n") == Strings{"BSD-3-Clause"});
    CHECK(licenses_of("License: " + std::string(200, 'x') + "\nClassifier: License :: OSI Approved :: MIT License\n") ==
          Strings{"MIT"});
    CHECK(licenses_of("License: UNKNOWN\n").empty());
    FileFacts facts = analyse(cataloger, path,
                              "Name: x\nVersion: 1.0\nRequires-Dist: requests (>=2.0)\n"
                              "Requires-Dist: urllib3<3,>=1.21.1\nRequires-Dist: pytest; extra == 'test'\n"
                              "Requires-Dist: idna; python_version < \"3\"\n\n");
    CHECK(facts.packages.at(0).depends_on == Strings{"requests", "urllib3", "idna"});
}
