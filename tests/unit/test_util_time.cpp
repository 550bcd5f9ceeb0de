#include <doctest/doctest.h>

#include "util/time.hpp"

using namespace regscan::util;

TEST_SUITE_BEGIN("util");

namespace {
std::string utc(const std::string& text) {
    auto shown = utc_seconds(text);
    CHECK(shown.empty() != parse_rfc3339(text).has_value());
    return shown.empty() ? "invalid" : shown;
}
}  // namespace

TEST_CASE("util::parse_rfc3339 and utc_seconds normalise to UTC seconds") {
    CHECK(utc("2019-01-01T01:29:27Z") == "2019-01-01T01:29:27Z");
    CHECK(utc("2020-05-06T10:11:12.123456789+02:00") == "2020-05-06T08:11:12Z");
    CHECK(utc("2020-05-06T00:30:00-01:30") == "2020-05-06T02:00:00Z");
    CHECK(utc("2020-12-31T23:59:59.999-00:01") == "2021-01-01T00:00:59Z");
    CHECK(utc("2020-05-06 10:11:12+0000") == "2020-05-06T10:11:12Z");
    CHECK(utc("1970-01-01T00:00:00Z") == "1970-01-01T00:00:00Z");
}

TEST_CASE("util::parse_rfc3339 rejects malformed times") {
    CHECK(utc("2020-13-01T00:00:00Z") == "invalid");
    CHECK(utc("2020-02-30T00:00:00Z") == "invalid");
    CHECK(utc("2020-01-01T00:00:00") == "invalid");
    CHECK(utc("2020-01-01T00:00:00Zjunk") == "invalid");
    CHECK(utc("yesterday") == "invalid");
    CHECK(utc("9999-99-99T99:99:99Z") == "invalid");
    CHECK(utc("2020-01-01T24:00:00Z") == "invalid");
}

TEST_SUITE_END();
