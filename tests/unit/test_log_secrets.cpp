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


TEST_CASE("log::mask_credential_fields is linear on long hostile text") {
    // A 1 MB value after a marker, and markers repeated: no recursion, no blow-up.
    std::string long_value = "password=" + std::string(1 << 20, 'a');
    CHECK(mask_credential_fields(long_value) == "password=***");
    std::string many;
    for (int i = 0; i < 20000; ++i) many += "Authorization: ";
    CHECK(mask_credential_fields(many).size() == many.size());
    CHECK(mask_credential_fields("Authorization:Bearer") == "Authorization:Bearer");
    CHECK(mask_credential_fields("x ACCESS_TOKEN=abc&y=1") == "x ACCESS_TOKEN=***&y=1");
}

TEST_CASE("log::add_token_secret keeps the newest tokens only; passwords stay") {
    using namespace regscan::log;
    add_secret("password-kept-for-ever");
    add_token_secret("token-first-of-many");
    CHECK(redact("token-first-of-many") == "***");
    for (size_t i = 0; i < max_token_secrets; ++i) add_token_secret("token-later-" + std::to_string(i));
    CHECK(redact("token-first-of-many") == "token-first-of-many");
    CHECK(redact("token-later-0") == "***");
    CHECK(redact("a token-later-4095 b") == "a *** b");
    CHECK(redact("password-kept-for-ever") == "***");
}

TEST_CASE("log::add_secret makes a value registered as a token before permanent, in either order") {
    using namespace regscan::log;
    add_token_secret("static-then-token");
    add_secret("static-then-token");
    add_secret("token-after-static");
    add_token_secret("token-after-static");
    for (size_t i = 0; i < max_token_secrets; ++i) add_token_secret("evicting-token-" + std::to_string(i));
    CHECK(redact("static-then-token") == "***");
    CHECK(redact("token-after-static") == "***");
    CHECK(redact("evicting-token-0") == "***");
}

TEST_SUITE_END();
