// Time formats and encodings of the ecr plugin.
#include <doctest/doctest.h>

#include "ecr_crypto.hpp"
#include "ecr_time.hpp"

using namespace regscan::ecr;

TEST_SUITE_BEGIN("ecr");

TEST_CASE("ecr::time epoch seconds to RFC 3339 UTC, fraction dropped") {
    CHECK(rfc3339_from_epoch(1546306167) == "2019-01-01T01:29:27Z");
    CHECK(rfc3339_from_epoch(1546306167.999) == "2019-01-01T01:29:27Z");
    CHECK(rfc3339_from_epoch(0) == "1970-01-01T00:00:00Z");
}

TEST_CASE("ecr::time ISO 8601 of STS and instance metadata") {
    auto plain = parse_iso8601("2015-08-30T12:36:00Z");
    REQUIRE(plain);
    CHECK(amz_date(*plain) == "20150830T123600Z");
    auto fraction = parse_iso8601("2011-07-15T23:28:33.359Z");
    REQUIRE(fraction);
    CHECK(amz_date(*fraction) == "20110715T232833Z");
    auto offset = parse_iso8601("2020-12-31T23:30:00-01:00");
    REQUIRE(offset);
    CHECK(amz_date(*offset) == "20210101T003000Z");
    CHECK_FALSE(parse_iso8601("2015-08-30 12:36:00"));
    CHECK_FALSE(parse_iso8601("2015-08-30T12:36:00"));
    CHECK_FALSE(parse_iso8601("2015-13-30T12:36:00Z"));
    CHECK_FALSE(parse_iso8601(""));
}

TEST_CASE("ecr::crypto SHA-256 and HMAC") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // RFC 4231 test case 2.
    CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_SUITE_END();
