#include <doctest/doctest.h>

#include "../fixtures/catalog/support.hpp"
#include "catalog/os_release_cataloger.hpp"

using namespace regscan::catalog;
using namespace regscan::catalog::testing;

namespace {

// The shell itself is the oracle for quoting: source the file, print fields.
std::string shell_reads(const std::string& path) {
    return run("sh -c '. \"" + path +
               "\"; printf \"%s|%s|%s|%s|%s\" \"$ID\" \"$VERSION_ID\" \"$VERSION_CODENAME\" \"$ID_LIKE\" \"$PRETTY_NAME\"'");
}

std::string joined(const regscan::scan::OsRelease& os) {
    return os.id + "|" + os.version_id + "|" + os.version_codename + "|" + os.id_like + "|" + os.pretty_name;
}

}  // namespace

TEST_SUITE_BEGIN("catalog");

TEST_CASE("catalog::os_release reads this machine's /etc/os-release as the shell does") {
    OsReleaseCataloger cataloger;
    FileFacts facts = analyse(cataloger, "/etc/os-release", read_file("/etc/os-release"));
    REQUIRE(facts.os);
    CHECK(joined(*facts.os) == shell_reads("/etc/os-release"));
    CHECK(facts.os->id == "debian");
    CHECK(facts.os->version_id == "12");
    CHECK(facts.os->version_codename == "bookworm");
}

TEST_CASE("catalog::os_release unquotes values as the shell does") {
    std::string path = fixture_dir + "/os-release/quoting";
    FileFacts facts = analyse(OsReleaseCataloger(), "/usr/lib/os-release", read_file(path));
    REQUIRE(facts.os);
    CHECK(joined(*facts.os) == shell_reads(path));
    CHECK(facts.os->id == "rocky");
    CHECK(facts.os->version_id == "9.3");
    CHECK(facts.os->id_like == "rhel centos fedora");
    CHECK(facts.os->pretty_name == "Rocky \"Blue Onyx\" $HOME it's 9.3");
    CHECK(facts.os->version_codename == "Blue Onyx");
}

TEST_CASE("catalog::os_release wants only the two os-release paths") {
    OsReleaseCataloger cataloger;
    CHECK(cataloger.wants({"/etc/os-release", 10, 0100644}));
    CHECK(cataloger.wants({"/usr/lib/os-release", 10, 0100644}));
    CHECK_FALSE(cataloger.wants({"/etc/os-release.bak", 10, 0100644}));
    CHECK_FALSE(cataloger.wants({"/opt/etc/os-release", 10, 0100644}));
}

TEST_CASE("catalog::os_release refuses a file with no ID") {
    FileFacts facts;
    CHECK_THROWS_WITH_AS(OsReleaseCataloger().analyse({"/etc/os-release", 5, 0100644}, "NAME=x\n", facts),
                         "/etc/os-release: no ID= line, not an os-release file", std::runtime_error);
}

TEST_CASE("catalog::os_release_precedence puts /etc before /usr/lib") {
    CHECK(os_release_precedence("/etc/os-release") > os_release_precedence("/usr/lib/os-release"));
    CHECK(os_release_precedence("/usr/lib/os-release") > 0);
    CHECK(os_release_precedence("/etc/lsb-release") == 0);
}

TEST_SUITE_END();
