#include <doctest/doctest.h>

#include <string>

#include "oci/reference_grammar.hpp"
#include "regscan/digest.hpp"

using namespace regscan::oci;

TEST_SUITE_BEGIN("oci");

TEST_CASE("oci::valid_repository_name follows the distribution spec's grammar") {
    for (const char* good : {"app", "team/app", "a/b/c", "my-app", "my--app", "my_app", "my__app", "v1.2", "0"})
        CHECK_MESSAGE(valid_repository_name(good), good);
    for (const char* bad : {"", "../x", "x/..", "/x", "x/", "a b", "App", "a//b", "a___b", "a._b", "-a", "a-",
                            "a\x1b[2J", "a\nb", "a%2fb", "a:b", "a@b"})
        CHECK_MESSAGE(!valid_repository_name(bad), bad);
    CHECK(valid_repository_name(std::string(255, 'a')));
    CHECK(!valid_repository_name(std::string(256, 'a')));
}

TEST_CASE("oci::valid_tag follows the distribution spec's grammar") {
    for (const char* good : {"latest", "1.0", "v1.2.3-rc_1", "_x", "A"}) CHECK_MESSAGE(valid_tag(good), good);
    for (const char* bad : {"", ".x", "-x", "a b", "a/b", "a:b", "../x", "a\x07"}) CHECK_MESSAGE(!valid_tag(bad), bad);
    CHECK(valid_tag(std::string(128, 'a')));
    CHECK(!valid_tag(std::string(129, 'a')));
}

TEST_CASE("sdk::valid_digest takes sha256 and sha512 in lowercase hex only") {
    CHECK(regscan::sdk::valid_digest("sha256:" + std::string(64, 'a')));
    CHECK(regscan::sdk::valid_digest("sha512:" + std::string(128, '0')));
    CHECK(!regscan::sdk::valid_digest("sha256:" + std::string(64, 'A')));
    CHECK(!regscan::sdk::valid_digest("sha256:" + std::string(63, 'a')));
    CHECK(!regscan::sdk::valid_digest("sha256:" + std::string(60, 'a') + "/../"));
    CHECK(!regscan::sdk::valid_digest("md5:" + std::string(32, 'a')));
}

TEST_SUITE_END();
