#include <doctest/doctest.h>

#include <map>
#include <string>

#include "version_vectors.hpp"

using namespace version_vectors;

namespace {

constexpr Order<Scheme::Alpine> order;
// Its Known lines: where a vector file expects something other than apk-tools 3 (the
// port); the value is what apk-tools 3 answers, the port with it.
constexpr CheckFile<Scheme::Alpine> check_file;

}  // namespace

TEST_SUITE_BEGIN("versions");

TEST_CASE("versions::alpine vectors") { check_file(tv::read_tsv(dir + "apk.tsv"), "apk.tsv"); }

TEST_CASE("versions::alpine fuzzy vectors") {
    auto cases = tv::read_tsv(dir + "apk-fuzzy.tsv");
    REQUIRE(cases.size() == 16);
    for (const auto& c : cases) {
        INFO("apk-fuzzy.tsv:" << c.line << ": '" << c.a << "' " << c.op << " '" << c.b << "'");
        auto r = versions::apk::compare_fuzzy(c.a, c.b);
        REQUIRE(r.has_value());
        if (c.op == "~") CHECK(*r == 0);
        else if (c.op == "<~") CHECK(*r <= 0);
        else if (c.op == ">~") CHECK(*r >= 0);
        else if (c.op == "!~") CHECK(*r != 0);
        else FAIL("unknown operator " << c.op);
    }
}

TEST_CASE("versions::alpine validity vectors") {
    for (const auto& v : tv::read_list(dir + "apk-valid.txt")) {
        INFO("'" << v << "'");
        CHECK(versions::is_valid(Scheme::Alpine, v));
    }
    for (const auto& v : tv::read_list(dir + "apk-invalid.txt")) {
        INFO("'" << v << "'");
        CHECK_FALSE(versions::is_valid(Scheme::Alpine, v));
    }
    CHECK_FALSE(versions::is_valid(Scheme::Alpine, ""));  // the bare "!" line of version.data
}

// osv-scalibr's expectations follow apk-tools 2 (older Alpine releases) where the
// two differ; apk-tools 3 rejects a digit right after a letter ("6.6.2p1")
// and a dot not followed by digits, then calls the rest equal.
TEST_CASE("versions::alpine osv-scalibr vectors") {
    const Known apk2_only = {
        {2, -1},   // 1-r = 1-r0: "-r" without digits is invalid, so less
        {16, 0},   // 0..1..0 < 0..1..1: invalid after "0."
        {17, 0},   // 0...1...0 < 0...1...1
        {18, 0},   // 0...1...0.r1 < 0...1...0.r2
        {19, 0},   // 0...1...0r1 < 0...1...0r2
        {21, 0},   // 0..8 > 0...8
        {22, 0},   // 0.8.21.r2 > 0.8.21.r1: ".r" is invalid
        {34, 0},   // 6.6.2p1 < 6.6.2p2: digit after a letter
        {43, 1},   // 1-r0-1 = 1-r-2: valid -r0 against invalid -r
    };
    check_file(tv::read_scalibr(dir + "osv-scalibr/alpine-versions.txt"), "alpine-versions.txt", apk2_only);

    Known letter_digit;  // "5.7.1p1-r0" < "5.7.1p1-r1" and the like: equal in apk-tools 3
    for (size_t line : {6912, 12657, 12658, 12661, 12662, 12663, 12665, 12666, 12667, 12669, 12670,
                        12671, 12672, 12673, 12674, 12675, 12676, 12678, 12679, 12680, 12681, 12683,
                        12684, 12686, 12687, 12688, 12690, 12692, 12694, 13398, 13399, 13400})
        letter_digit[line] = 0;
    check_file(tv::read_scalibr(dir + "osv-scalibr/alpine-versions-generated.txt"), "alpine-versions-generated.txt",
               letter_digit);
}

TEST_CASE("versions::alpine edge cases") {
    CHECK(order("1.2_alpha1", "1.2_beta") < 0);
    CHECK(order("1.2_rc1", "1.2") < 0);    // pre-release suffixes sort first
    CHECK(order("1.2_p1", "1.2") > 0);     // post-release suffixes after
    CHECK(order("1.2_git2024", "1.2_p1") < 0);
    CHECK(order("1.2-r1", "1.2-r10") < 0);
    CHECK(order("1.2a", "1.2") > 0);
    CHECK(order("1.2.01", "1.2.1") < 0);   // a leading zero makes a string compare
    CHECK(order("1.0_pre2~1234abcd", "1.0_pre2") > 0);  // more tokens and no pre-release suffix: newer
    CHECK(order("1.0", "1.0bc") < 0);      // apk compares invalid versions by their valid prefix
    CHECK(order("99999999999999999999999", "99999999999999999999998") > 0);
}

TEST_CASE("versions::alpine refused versions sort first") {
    CHECK(order("", "0") < 0);
    CHECK(order("a", "b") < 0);  // apk calls these equal; the fallback orders them
    CHECK(order(".2", ".1") > 0);
    CHECK(order(".1", "1") < 0);
}

TEST_SUITE_END();
