#include <doctest/doctest.h>

#include "limits/limits.hpp"
#include "log/secrets.hpp"
#include "util/text.hpp"

#include <regscan/host.hpp>

using namespace regscan::log;

TEST_SUITE_BEGIN("log");

TEST_CASE("log::redact replaces registered secrets wherever they appear") {
    add_secret("hunter2-secret");
    CHECK(redact("password is hunter2-secret, again hunter2-secret") == "password is ***, again ***");
    add_secret("ab");  // too short to redact safely
    CHECK(redact("tab") == "tab");
}

TEST_CASE("log::redact masks a secret that describe() cut at its 200-byte quote, wherever the quote ends up") {
    const std::string token = "cut-token-0123456789abcdefghijklmnopqrstuvwxyz";
    add_secret(token);
    // The registry echoes the token 180 bytes into its answer: the quote ends 20 bytes into it.
    regscan::sdk::HttpResponse response;
    response.status = 401;
    response.body = "{\"errors\":[{\"message\":\"" + std::string(157, 'x') + token + "\"}]}";
    const std::string quoted = response.describe();
    REQUIRE(quoted.size() == std::string("HTTP 401: ").size() + 200);
    const std::string leaked = token.substr(0, 20);
    REQUIRE(quoted.substr(quoted.size() - 20) == leaked);
    for (const std::string& text : {"GET http://127.0.0.1/v2/: " + quoted,
                                    "Quay refused the robot credentials (GET /login: " + quoted + ")",
                                    "ECR failed: " + quoted + "; the AWS credentials have expired, renew them"}) {
        INFO(text);
        auto masked = redact(text);
        CHECK(masked.find(token.substr(0, 4)) == std::string::npos);
        CHECK(masked.find(std::string(157, 'x') + "***") != std::string::npos);
    }
    // Cut by whoever wrote the text: its end.
    CHECK(redact("the answer began " + token.substr(0, 30)) == "the answer began ***");
    // Half the secret (8 bytes of a long one) must be there: a shorter piece is likelier a coincidence.
    CHECK(redact("ends in cut-tok") == "ends in cut-tok");
    CHECK(redact("ends in cut-toke") == "ends in ***");
    // Inside the text, away from a cut, a piece of a secret is text.
    CHECK(redact("a cut-token-0123 is named") == "a cut-token-0123 is named");
    add_secret("shrt-pw1");  // 8 bytes: 4 of them are half
    CHECK(redact("ends in shr") == "ends in shr");
    CHECK(redact("ends in shrt") == "ends in ***");
}

TEST_CASE("log::redact caps a failure's text once its secrets are masked") {
    const std::string secret = "capped-secret-abcdefghijklmnop";
    add_secret(secret);
    const auto at = regscan::limits::max_echoed_value - 40;
    // The secret straddles the cut: masked first, no piece of it is left.
    std::string text = std::string(at, 'y') + secret + std::string(1 << 20, 'z');
    auto masked = redact(text);
    CHECK(masked.size() <= regscan::limits::max_echoed_value);
    CHECK(masked.rfind(std::string(at, 'y') + "***zzz", 0) == 0);
    CHECK(masked.find(secret.substr(0, 4)) == std::string::npos);
    CHECK(masked.find(" bytes left out)") != std::string::npos);
    // Only the start of a long text is searched, but the marker counts all of it (the secret shown as ***).
    const auto marker = masked.rfind(" ... (");
    REQUIRE(marker != std::string::npos);
    CHECK(marker + std::stoull(masked.substr(marker + 6)) == text.size() - secret.size() + 3);
    CHECK(redact(masked) == masked);
}

TEST_CASE("log::redact_fields masks secrets across the whole text, then caps each field") {
    const std::string secret = "field-secret x=0123456789";
    add_secret(secret);
    const std::string text = std::string(100, 'a') + " sneaky " + secret + " last=tail";
    // A field boundary inside the secret (" x="): both its parts are masked.
    auto shown = redact_fields(text, {0, 100, text.find(" x="), text.find(" last=")}, 64, 1000);
    CHECK(shown.find("field-s") == std::string::npos);
    CHECK(shown.find("0123456789") == std::string::npos);
    // Each field capped on its own: the long message says what it left out, the fields after it are whole.
    CHECK(shown == std::string(39, 'a') + " ... (61 bytes left out) sneaky ****** last=tail");
    // A secret the cap of its field crosses is masked before the cut: no piece of it is left.
    const std::string crossing = std::string(30, 'c') + secret + std::string(100, 'd');
    shown = redact_fields(crossing + " e=f", {0, crossing.size()}, 64, 1000);
    CHECK(shown.rfind(std::string(30, 'c') + "***ddd", 0) == 0);
    CHECK(shown.find("field-s") == std::string::npos);
    CHECK(shown.find(" e=f") != std::string::npos);
    // Past `most_all`, the fields left are left out together, the marker counting their bytes.
    const std::string many = std::string(60, 'm') + " a=" + std::string(60, 'n') + " b=" + std::string(60, 'o');
    shown = redact_fields(many, {0, 60, 123}, 1000, 150);
    CHECK(shown == std::string(60, 'm') + " a=" + std::string(60, 'n') + " ... (63 bytes left out)");
    CHECK(shown.size() <= 150);
}

TEST_CASE("log::redact_fields masks a secret whose head is in the cut part of a field, its tail the next field") {
    // The secret holds " x=": a log line splits it there. The long message is cut
    // well before the secret's head, and its tail " x=..." is a field of its own.
    const std::string secret = "pa ss x=tail-of-secret";
    add_secret(secret);
    const std::string message = std::string(10000, 'm') + " then " + secret.substr(0, secret.find(" x="));
    const std::string text = message + secret.substr(secret.find(" x=")) + " next=whole";
    REQUIRE(text.find(secret) != std::string::npos);
    auto shown = redact_fields(text, {0, message.size(), text.find(" next=")}, 64, 1000);
    CHECK(shown.find("tail-of") == std::string::npos);
    CHECK(shown.find("x=") == std::string::npos);
    CHECK(shown.rfind("mmm", 0) == 0);
    CHECK(shown.find("m ... (") != std::string::npos);
    CHECK(shown.find(" bytes left out)*** next=whole") != std::string::npos);
    // The same with the secret's tail after a second cut field, and at the end of the text.
    const std::string two = message + secret.substr(secret.find(" x=")) + std::string(500, 'n');
    shown = redact_fields(two, {0, message.size()}, 64, 1000);
    CHECK(shown.find("tail-of") == std::string::npos);
    CHECK(shown.find(" bytes left out)***nnn") != std::string::npos);
    // Cut elsewhere, the field's text is left as it is.
    const std::string plain = message + " x=tail-of-something-else";
    shown = redact_fields(plain, {0, message.size()}, 64, 1000);
    CHECK(shown.find(" bytes left out) x=tail-of-something-else") != std::string::npos);
}

TEST_CASE("log::redact_fields never cuts a field inside a UTF-8 character, however much masking shortened it") {
    // The field is searched up to its cap and the longest secret past it; two masked
    // occurrences leave less than the cap, so that window is shown whole, marker after.
    const std::string secret = "utf8-window-secret-" + std::string(60, 's');
    add_secret(secret);
    for (size_t shift : {0, 1}) {  // one of the two puts the window's end inside an 'é'
        CAPTURE(shift);
        std::string field = secret + secret + std::string(shift, 'a');
        for (int i = 0; i < 4000; ++i) field += "\xc3\xa9";
        auto shown = redact_fields(field + " next=1", {0, field.size()}, 200, 10000);
        CHECK(regscan::util::valid_utf8(shown) == shown);
        CHECK(shown.find(secret.substr(0, 12)) == std::string::npos);
        CHECK(shown.find(" next=1") != std::string::npos);
    }
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
