#include <doctest/doctest.h>

#include <string>

#include "version_vectors.hpp"

using namespace version_vectors;

namespace {

constexpr Order<Scheme::Rpm> order;
constexpr CheckFile<Scheme::Rpm> check_file;

}  // namespace

TEST_SUITE_BEGIN("versions");

TEST_CASE("versions::rpm vectors") { check_file(tv::read_tsv(dir + "rpm.tsv"), "rpm.tsv"); }

TEST_CASE("versions::rpm osv-scalibr vectors") {
    check_file(tv::read_scalibr(dir + "osv-scalibr/redhat-versions.txt"), "redhat-versions.txt");
}

// Expected values below were checked with rpm 4.18's rpm.vercmp().
TEST_CASE("versions::rpm edge cases") {
    CHECK(order("1.0~rc1", "1.0") < 0);
    CHECK(order("1.0^git1", "1.0") > 0);
    CHECK(order("1.0^git1", "1.0.1") < 0);
    CHECK(order("1:1.0", "2.0") > 0);
    CHECK(order(":1.0", "0:1.0") == 0);  // an empty epoch is 0
    CHECK(order("1", "1-1") < 0);        // a missing release sorts first...
    CHECK(order("1", "1-") < 0);         // ...even before an empty one
    CHECK(order("1-", "1-") == 0);
    CHECK(order("1.0a", "1.0") > 0);
    CHECK(order("1.0.a", "1.0.1") < 0);  // letters before numbers
    CHECK(order("0:3.10.0-229.el7", "0:3.10.0-229.1.2.ael7b") < 0);
    CHECK(order("1.0\xce\xb1", "1.0\xce\xb2") == 0);  // non-ASCII only separates
    CHECK(order("10.0001", "10.1") == 0);
    CHECK(order("1.0", std::string_view("1.0\0junk", 8)) == 0);  // C strings end at NUL
}

TEST_CASE("versions::rpm fields") {
    CHECK(versions::rpm::compare_field("1.0", "1.0") == 0);
    CHECK(versions::rpm::compare_field("2_0", "2.0") == 0);
    CHECK(versions::rpm::compare_field("el8", "el9") < 0);
    CHECK(versions::rpm::compare_field("123456789012345678901", "123456789012345678900") > 0);
}

TEST_CASE("versions::rpm validity") {
    CHECK(versions::is_valid(Scheme::Rpm, "2:8.2.2637-20.el9_1"));
    CHECK(versions::is_valid(Scheme::Rpm, "1.0^20160101git.abc"));
    CHECK(versions::is_valid(Scheme::Rpm, "1.0~rc1-1"));
    CHECK_FALSE(versions::is_valid(Scheme::Rpm, ""));
    CHECK_FALSE(versions::is_valid(Scheme::Rpm, "1-"));
    CHECK_FALSE(versions::is_valid(Scheme::Rpm, "a:1"));
    CHECK_FALSE(versions::is_valid(Scheme::Rpm, "1.0 beta"));
    CHECK(order("", "0") < 0);  // rpm refuses only ""; it sorts first
}

TEST_SUITE_END();
