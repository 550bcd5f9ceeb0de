#include <doctest/doctest.h>

#include <string>

#include "version_vectors.hpp"

using namespace version_vectors;

namespace {

constexpr Order<Scheme::SemVer> order;
constexpr CheckFile<Scheme::SemVer> check_file;

}  // namespace

TEST_SUITE_BEGIN("versions");

TEST_CASE("versions::semver vectors") {
    auto cases = tv::read_tsv(dir + "semver.tsv");
    REQUIRE(cases.size() == 22);
    for (const auto& c : cases) {
        INFO("semver.tsv:" << c.line << ": '" << c.a << "' " << c.op << " '" << c.b << "'");
        REQUIRE(versions::is_valid(Scheme::SemVer, c.a));
        REQUIRE(versions::is_valid(Scheme::SemVer, c.b));
        int expected = tv::expected_sign(c.op);
        CHECK(order(c.a, c.b) == expected);
        CHECK(order(c.b, c.a) == -expected);
    }
}

TEST_CASE("versions::semver loose vectors") {
    auto cases = tv::read_tsv(dir + "semver-loose.tsv");
    REQUIRE(cases.size() == 46);
    for (const auto& c : cases) {
        INFO("semver-loose.tsv:" << c.line << ": '" << c.a << "' " << c.op << " '" << c.b << "'");
        auto r = versions::semver::compare(c.a, c.b, true);
        REQUIRE(r.has_value());
        CHECK(*r == tv::expected_sign(c.op));
    }
}

// Also has 4-part and 30-digit versions node-semver refuses: they sort below
// valid ones and among themselves in the Generic order, as the file expects.
TEST_CASE("versions::semver osv-scalibr vectors") {
    check_file(tv::read_scalibr(dir + "osv-scalibr/semver-versions.txt"), "semver-versions.txt");
}

// Expected values below were checked with node-semver 7.3.5.
TEST_CASE("versions::semver edge cases") {
    CHECK(order("1.0.0-alpha", "1.0.0-alpha.1") < 0);
    CHECK(order("1.0.0-alpha.1", "1.0.0-alpha.beta") < 0);  // numbers before words
    CHECK(order("1.0.0-beta.2", "1.0.0-beta.11") < 0);
    CHECK(order("1.0.0-rc.1", "1.0.0") < 0);
    CHECK(order("1.0.0+build.1", "1.0.0+build.2") == 0);  // build metadata is ignored
    CHECK(order("v1.2.3", "1.2.3") == 0);
    CHECK(order(" 1.2.3\n", "1.2.3") == 0);  // trimmed as JavaScript trims
    CHECK(order("9007199254740991.0.0", "9007199254740990.0.0") > 0);
    // Prerelease numbers are JavaScript doubles: these two round to the same one.
    CHECK(order("1.0.0-9007199254740993", "1.0.0-9007199254740992") == 0);
}

TEST_CASE("versions::semver validity") {
    CHECK(versions::is_valid(Scheme::SemVer, "1.2.3-beta.1+exp.sha.5114f85"));
    CHECK_FALSE(versions::is_valid(Scheme::SemVer, "1.2"));
    CHECK_FALSE(versions::is_valid(Scheme::SemVer, "01.2.3"));
    CHECK_FALSE(versions::is_valid(Scheme::SemVer, "1.2.3-01"));
    CHECK_FALSE(versions::is_valid(Scheme::SemVer, "=1.2.3"));  // loose only
    CHECK(versions::semver::is_valid("=1.2.3", true));
    CHECK(versions::semver::is_valid("1.2.34.5", true));  // loose: 1.2.3-4.5
    CHECK_FALSE(versions::is_valid(Scheme::SemVer, "9007199254740992.0.0"));
    CHECK_FALSE(versions::is_valid(Scheme::SemVer, "1.2.3-" + std::string(300, 'a')));  // over 256 characters
    CHECK(order("not-a-version", "0.0.0-0") < 0);  // refused versions sort first
}

TEST_SUITE_END();
