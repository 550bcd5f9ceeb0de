#include <doctest/doctest.h>

#include "log/secrets.hpp"

using namespace regscan::log;

TEST_SUITE_BEGIN("log");

TEST_CASE("log::redact replaces registered secrets wherever they appear") {
    add_secret("hunter2-secret");
    CHECK(redact("password is hunter2-secret, again hunter2-secret") == "password is ***, again ***");
    add_secret("ab");  // too short to redact safely
    CHECK(redact("tab") == "tab");
}

TEST_CASE("log::redact hides credentials in Authorization headers and forms") {
    CHECK(redact("Authorization: Bearer eyJhbGciOi.x.y") == "Authorization: Bearer ***");
    CHECK(redact("authorization: basic dXNlcjpwdw==") == "authorization: basic ***");
    CHECK(redact("grant_type=password&password=pw123&client_secret=s3") == "grant_type=password&password=***&client_secret=***");
    CHECK(redact("nothing to hide") == "nothing to hide");
}

TEST_SUITE_END();
