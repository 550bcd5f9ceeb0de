#include <doctest/doctest.h>

#include "vulndb/ecosystem.hpp"

using namespace regscan::vulndb;

TEST_SUITE_BEGIN("vulndb");

TEST_CASE("vulndb::package_name_key normalises PyPI names by PEP 503 only") {
    CHECK(package_name_key("PyPI", "Jinja2") == "jinja2");
    CHECK(package_name_key("PyPI", "zope.interface") == "zope-interface");
    CHECK(package_name_key("PyPI", "Foo__Bar-.baz") == "foo-bar-baz");
    CHECK(package_name_key("npm", "JSONStream") == "JSONStream");  // npm names are case-sensitive
    CHECK(package_name_key("Maven", "org.apache.logging.log4j:log4j-core") == "org.apache.logging.log4j:log4j-core");
    CHECK(package_name_key("NuGet", "Newtonsoft.Json") == "newtonsoft.json");
    CHECK(package_name_key("Debian:12", "libssl3") == "libssl3");
}

TEST_CASE("vulndb::ecosystem_covers applies release suffixes") {
    CHECK(ecosystem_covers("Debian:12", "Debian:12"));
    CHECK_FALSE(ecosystem_covers("Debian:11", "Debian:12"));
    CHECK(ecosystem_covers("Debian", "Debian:12"));       // no suffix: every release
    CHECK_FALSE(ecosystem_covers("Debian:12", "Debian"));  // the package's release is unknown
    CHECK(ecosystem_covers("Alpine:v3.18", "Alpine:v3.18"));
    CHECK_FALSE(ecosystem_covers("Alpine:v3.18", "Alpine:v3.19"));
    CHECK(ecosystem_covers("Ubuntu:22.04:LTS", "Ubuntu:22.04:LTS"));
    CHECK_FALSE(ecosystem_covers("Ubuntu:Pro:22.04:LTS", "Ubuntu:22.04:LTS"));
    CHECK(ecosystem_covers("Rocky Linux:9", "Rocky Linux:9"));
    CHECK(ecosystem_covers("PyPI", "pypi"));  // base names compare case-insensitively
    CHECK_FALSE(ecosystem_covers("npm", "PyPI"));
}

TEST_CASE("vulndb::keyed_by_source_package names the source-keyed ecosystems") {
    CHECK(keyed_by_source_package("Debian:12"));
    CHECK(keyed_by_source_package("Ubuntu:22.04:LTS"));
    CHECK(keyed_by_source_package("Alpine:v3.18"));
    CHECK_FALSE(keyed_by_source_package("AlmaLinux:9"));  // ALSA records name binary rpms
    CHECK_FALSE(keyed_by_source_package("PyPI"));
}

TEST_SUITE_END();
