#include <doctest/doctest.h>

#include <string>

#include "version_vectors.hpp"

using namespace version_vectors;

namespace {

constexpr Order<Scheme::Debian> order;
constexpr CheckFile<Scheme::Debian> check_file;

}  // namespace

TEST_SUITE_BEGIN("versions");

TEST_CASE("versions::debian vectors") {
    check_file(tv::read_tsv(dir + "dpkg.tsv"), "dpkg.tsv");
    check_file(tv::read_tsv(dir + "dpkg-perl.tsv"), "dpkg-perl.tsv");
}

TEST_CASE("versions::debian invalid vectors") {
    // Lines 2-11 are errors (dpkg refuses to compare), the rest warnings
    // (dpkg compares with a warning); none is valid.
    auto invalid = tv::read_list(dir + "dpkg-invalid.txt");
    REQUIRE(invalid.size() == 61);
    for (size_t i = 0; i < invalid.size(); ++i) {
        INFO("dpkg-invalid.txt:" << i + 2 << ": '" << invalid[i] << "'");
        CHECK_FALSE(versions::is_valid(Scheme::Debian, invalid[i]));
        CHECK(versions::debian::accepts(invalid[i]) == (i >= 10));
    }
}

TEST_CASE("versions::debian osv-scalibr vectors") {
    check_file(tv::read_scalibr(dir + "osv-scalibr/debian-versions.txt"), "debian-versions.txt");
    check_file(tv::read_scalibr(dir + "osv-scalibr/debian-versions-generated.txt"), "debian-versions-generated.txt");
}

// Expected values below were checked with libdpkg 1.21 (tests/oracle).
TEST_CASE("versions::debian edge cases") {
    CHECK(order("1.0~rc1", "1.0") < 0);  // ~ before the end
    CHECK(order("1.0~~", "1.0~") < 0);
    CHECK(order("1.0", "1.0+b1") < 0);
    CHECK(order("1:0.9", "2.0") > 0);  // the epoch wins
    CHECK(order("1.0-1", "1.0-01") == 0);
    CHECK(order("1.2.3-1~deb7u1", "1.2.3-1") < 0);
    CHECK(order("1:2:3", "1:2:3-0") == 0);  // colons belong to the upstream part
    CHECK(order(" 1.0 ", "1.0") == 0);       // dpkg trims blanks
    CHECK(order("1.0\t", "1.0") == 0);
    CHECK(order("-0:1", "1") == 0);  // strtol reads "-0" as epoch 0
    CHECK(order("2147483647:1", "1") > 0);
    CHECK(order("a-0", "1") > 0);  // warned about, still compared: letters after digits
    // A byte above 0x7f sorts after letters but before ASCII punctuation, as
    // with dpkg's signed char.
    CHECK(order("1.0\xc3", "1.0.") < 0);
    CHECK(order("1.0\xc3", "1.0z") > 0);
}

TEST_CASE("versions::debian validity") {
    CHECK(versions::is_valid(Scheme::Debian, "1:2.36-9+deb12u4"));
    CHECK(versions::is_valid(Scheme::Debian, "2.7.4+reloaded2-13ubuntu1"));
    CHECK_FALSE(versions::is_valid(Scheme::Debian, ""));
    CHECK_FALSE(versions::is_valid(Scheme::Debian, "1.0-"));
    CHECK_FALSE(versions::is_valid(Scheme::Debian, "2147483648:1"));  // epoch above INT_MAX
    CHECK_FALSE(versions::is_valid(Scheme::Debian, "1.0 1"));
    CHECK_FALSE(versions::is_valid(Scheme::Debian, "a-0"));  // a warning is not valid
    CHECK(versions::debian::accepts("a-0"));
}

TEST_CASE("versions::debian refused versions sort first") {
    CHECK(order("", "0") < 0);
    CHECK(order("1.0-", "0") < 0);
    CHECK(order("0:", "1.0-") != 0);  // two refused ones: still a total order
    CHECK(order("1.0-", "1.0-") == 0);
}

TEST_SUITE_END();
