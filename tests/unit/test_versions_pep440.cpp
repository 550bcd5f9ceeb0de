#include <doctest/doctest.h>

#include <string>

#include "version_vectors.hpp"

using namespace version_vectors;

namespace {

constexpr Order<Scheme::Pep440> order;
constexpr CheckFile<Scheme::Pep440> check_file;

}  // namespace

TEST_SUITE_BEGIN("versions");

TEST_CASE("versions::pep440 vectors") {
    auto cases = tv::read_tsv(dir + "pep440.tsv");
    REQUIRE(cases.size() == 239);
    check_file(cases, "pep440.tsv");
    // The '=' lines are "input = str(Version(input))" (lines 93-239), except
    // 1.0rc1 = 1.0c1, whose right side is not the normal form.
    size_t normal_forms = 0;
    for (const auto& c : cases) {
        if (c.op != "=" || versions::pep440::normalize(c.b) != c.b) continue;
        INFO("pep440.tsv:" << c.line << ": '" << c.a << "' -> '" << c.b << "'");
        CHECK(versions::pep440::normalize(c.a) == c.b);
        ++normal_forms;
    }
    CHECK(normal_forms == 147);
}

TEST_CASE("versions::pep440 invalid vectors") {
    // Includes "1.0+\u0130", which packaging 23.0 still accepts; upstream and
    // the port do not (see SOURCES.md there).
    auto invalid = tv::read_list(dir + "pep440-invalid.txt");
    REQUIRE(invalid.size() == 21);
    for (const auto& v : invalid) {
        INFO("'" << v << "'");
        CHECK_FALSE(versions::is_valid(Scheme::Pep440, v));
    }
}

// Legacy (non-PEP 440) versions in these files sort below valid ones and
// among themselves in the Generic order, which is what the files expect.
TEST_CASE("versions::pep440 osv-scalibr vectors") {
    check_file(tv::read_scalibr(dir + "osv-scalibr/pypi-versions.txt"), "pypi-versions.txt");
    check_file(tv::read_scalibr(dir + "osv-scalibr/pypi-versions-generated.txt"), "pypi-versions-generated.txt");
}

// Expected values below were checked with python3-packaging 23.0.
TEST_CASE("versions::pep440 edge cases") {
    CHECK(order("1.0a1", "1.0.0a1") == 0);  // trailing zeros do not count
    CHECK(order("1.0-post1", "1.0.post1") == 0);
    CHECK(order("1.0-1", "1.0.post1") == 0);
    CHECK(order("1.0.dev1", "1.0a1") < 0);  // a dev release of the final version comes first
    CHECK(order("1.0a1.dev1", "1.0a1") < 0);
    CHECK(order("1.0.post1.dev1", "1.0.post1") < 0);
    CHECK(order("1.0", "1.0+local") < 0);
    CHECK(order("1.0+abc", "1.0+1") < 0);  // numbers beat words in local versions
    CHECK(order("1!0.1", "2.0") > 0);
    CHECK(order("1.0a-1", "1.0a1") == 0);  // the regex takes "-1" as the pre-release number
    CHECK(order("\xe2\x80\xaf" "1.0\xe2\x80\xa9", "1.0") == 0);  // Unicode whitespace is stripped
    CHECK(order("1.0.99999999999999999999999", "1.0.99999999999999999999998") > 0);
    CHECK(versions::pep440::normalize("V1.0-ALPHA-1.POST_2-dev+Ubuntu-01") == "1.0a1.post2.dev0+ubuntu.1");
    CHECK(versions::pep440::normalize("00!01.002") == "1.2");
}

TEST_CASE("versions::pep440 refused versions sort first") {
    CHECK(versions::is_valid(Scheme::Pep440, "2.0-beta-r2"));  // 2.0b0.post2
    CHECK_FALSE(versions::is_valid(Scheme::Pep440, "2.0-foo"));
    CHECK(order("2.0-foo", "0.1") < 0);
    CHECK(order("0.1-bulbasaur", "0.1-charmander") < 0);
}

TEST_SUITE_END();
