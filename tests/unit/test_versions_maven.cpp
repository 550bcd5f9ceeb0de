#include <doctest/doctest.h>

#include <map>
#include <string>

#include "version_vectors.hpp"

using namespace version_vectors;

namespace {

constexpr Order<Scheme::Maven> order;
// Its Known lines: where a vector file follows a later Maven than 3.8.7 (the port and
// the oracle); the value is 3.8.7's answer, checked with its jar.
constexpr CheckFile<Scheme::Maven> check_file;

}  // namespace

TEST_SUITE_BEGIN("versions");

TEST_CASE("versions::maven vectors") {
    // MNG-7714 (Maven 4): "sp" after a release qualifier. 3.8.7 says '>'.
    const Known mng_7714 = {{207, 1}, {208, 1}, {209, 1}};
    check_file(tv::read_tsv(dir + "maven.tsv"), "maven.tsv", mng_7714);
}

// Maven 3.9 changed qualifier handling (MNG-7559/7644); osv-scalibr follows it.
TEST_CASE("versions::maven osv-scalibr vectors") {
    check_file(tv::read_scalibr(dir + "osv-scalibr/maven-versions.txt"), "maven-versions.txt",
               {{100, 1}});  // 1-1 = 1-ga-1
    Known maven_39;
    for (size_t line : {2781, 2786, 5776, 9949, 11435, 11450, 11476, 11526, 11557, 11578, 11582, 11594, 11602,
                        11612, 11621, 11687, 11748, 12642})
        maven_39[line] = 1;  // e.g. 2.9.0-1 < 2.9.0.RC1 in 3.9, '>' in 3.8.7
    check_file(tv::read_scalibr(dir + "osv-scalibr/maven-versions-generated.txt"), "maven-versions-generated.txt",
               maven_39);
}

// Expected values below were checked with maven-artifact 3.8.7.
TEST_CASE("versions::maven edge cases") {
    CHECK(order("1.0-alpha-1", "1.0-beta-1") < 0);
    CHECK(order("1.0-beta-1", "1.0-milestone-1") < 0);
    CHECK(order("1.0-milestone-1", "1.0-rc-1") < 0);
    CHECK(order("1.0-rc-1", "1.0-cr-1") == 0);
    CHECK(order("1.0-rc-1", "1.0-SNAPSHOT") < 0);
    CHECK(order("1.0-SNAPSHOT", "1.0") < 0);
    CHECK(order("1.0", "1.0-ga") == 0);
    CHECK(order("1.0.Final", "1.0.RELEASE") == 0);
    CHECK(order("1.0", "1.0-sp") < 0);
    CHECK(order("1.0-sp", "1.0-foo") < 0);  // unknown qualifiers after the known ones
    CHECK(order("1.0-foo", "1.0-1") < 0);
    CHECK(order("1.0-1", "1.0.1") < 0);
    CHECK(order("1.0.0", "1") == 0);
    CHECK(order("1a1", "1-alpha-1") == 0);
    CHECK(order("12345678901234567890", "12345678901234567891") < 0);
    CHECK(order("0000000000.1", "0.1") > 0);  // ten zeros make a LongItem, above any IntItem
    CHECK(order("1.\xc3\x89", "1.\xc3\xa9") == 0);  // lower-cased as Java does
}

TEST_CASE("versions::maven canonical form") {
    CHECK(versions::maven::canonical("1.0-ALPHA-1") == "1-alpha-1");
    CHECK(versions::maven::canonical("1.0.0.RELEASE") == "1");
    CHECK(versions::maven::canonical("2.0.a") == "2-a");
    CHECK(versions::maven::canonical("338-ga.jre.cr-x.517") == "338-jre.rc-x.517");
    CHECK(versions::maven::canonical("1a1") == "1-alpha-1");
}

TEST_CASE("versions::maven validity") {
    CHECK(versions::is_valid(Scheme::Maven, "2.15.0-rc1"));
    CHECK(versions::is_valid(Scheme::Maven, "1.0.0.Final"));
    CHECK_FALSE(versions::is_valid(Scheme::Maven, ""));
    CHECK_FALSE(versions::is_valid(Scheme::Maven, "1.0 beta"));
    CHECK_FALSE(versions::is_valid(Scheme::Maven, "latest"));
    // Maven orders anything; over the length limit the version is refused and sorts first.
    std::string huge(5000, '-');
    CHECK(order(huge, "") < 0);
    CHECK(order(huge, huge) == 0);
}

TEST_SUITE_END();
