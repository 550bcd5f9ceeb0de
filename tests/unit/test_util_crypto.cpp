#include <doctest/doctest.h>

#include "util/crypto.hpp"

using namespace regscan::util;

TEST_SUITE_BEGIN("util");

TEST_CASE("util::sha256_hex matches FIPS 180-2 vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256 incremental;
    incremental.update("a", 1);
    incremental.update("bc", 2);
    CHECK(incremental.hex_digest() == sha256_hex("abc"));
}

TEST_SUITE_END();
