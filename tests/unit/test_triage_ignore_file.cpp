#include <doctest/doctest.h>

#include "triage/ignore_file.hpp"
#include "triage/input.hpp"

using regscan::triage::InputError;
using regscan::triage::parse_ignore_file;
using regscan::triage::valid_date;

TEST_SUITE_BEGIN("triage");

TEST_CASE("triage::parse_ignore_file reads ids, fields in any order and the reason") {
    auto file = parse_ignore_file(
        "# a comment line\n"
        "\n"
        "CVE-2023-1234\n"
        "CVE-2023-5678 exp:2027-01-01 pkg:openssl image:team/api* # accepted: not reachable\r\n"
        "  RS-CFG-001   image:tools/*#x # a '#' inside a token is part of it\n"
        "ALSA-2024:8793 pkg:lib* exp:2026-02-28 #   trimmed reason   \n",
        "ignore");
    REQUIRE(file.entries.size() == 4);
    CHECK(file.entries[0].id == "CVE-2023-1234");
    CHECK(file.entries[0].line == 3);
    CHECK(file.entries[0].reason.empty());
    CHECK(file.entries[1].expires == "2027-01-01");
    CHECK(file.entries[1].package == "openssl");
    CHECK(file.entries[1].image == "team/api*");
    CHECK(file.entries[1].reason == "accepted: not reachable");
    CHECK(file.entries[2].id == "RS-CFG-001");
    CHECK(file.entries[2].image == "tools/*#x");
    CHECK(file.entries[2].reason == "a '#' inside a token is part of it");
    CHECK(file.entries[3].id == "ALSA-2024:8793");
    CHECK(file.entries[3].reason == "trimmed reason");
    CHECK(file.entries[3].line == 6);
}

TEST_CASE("triage::parse_ignore_file names the file and line of each problem") {
    auto error_of = [](const std::string& text) {
        try {
            parse_ignore_file(text, "my.ignore");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of("CVE-1\nCVE-2 when:tomorrow\n") ==
          "my.ignore:2: unknown field 'when:tomorrow' (an entry is: ID [exp:YYYY-MM-DD] [pkg:NAME] "
          "[path:PATTERN] [image:PATTERN] [# reason])");
    CHECK(error_of("Eicar path:/a pkg:b\n") == "my.ignore:1: 'pkg:' and 'path:' never apply to one finding");
    CHECK(error_of("Eicar path:/a path:/b\n") == "my.ignore:1: 'path:' given twice");
    CHECK(error_of("CVE-1 exp:2027-02-30\n").rfind("my.ignore:1: 'exp:2027-02-30': the expiry date", 0) == 0);
    CHECK(error_of("CVE-1 exp:27-01-01\n").rfind("my.ignore:1:", 0) == 0);
    CHECK(error_of("\n\nCVE-1 pkg:a pkg:b\n") == "my.ignore:3: 'pkg:' given twice");
    CHECK(error_of("CVE-1 pkg:\n") == "my.ignore:1: 'pkg:' without a value");
    CHECK(error_of("CVE-1\x1b[31m\n") == "my.ignore:1: control character in the line");
    CHECK(error_of("CVE;rm\n").rfind("my.ignore:1: 'CVE;rm' is not an id", 0) == 0);
    CHECK(error_of("RS-CFG-001 # reason\nCVE-2 image:x # ok\n") == "no error");
}

TEST_CASE("triage::parse_ignore_file reads a malware entry's path pattern") {
    auto file = parse_ignore_file("Regscan.Test.Eicar.UNOFFICIAL path:/data/a.zip!* image:ops/* # known\n", "f");
    REQUIRE(file.entries.size() == 1);
    CHECK(file.entries[0].id == "Regscan.Test.Eicar.UNOFFICIAL");
    CHECK(file.entries[0].path == "/data/a.zip!*");
    CHECK(file.entries[0].image == "ops/*");
    CHECK(file.entries[0].package.empty());
}

// The log sink escapes it, once (test_log_logging.cpp).
TEST_CASE("triage::parse_ignore_file names the file as given in messages") {
    try {
        parse_ignore_file("bad:x\nbad y\n", "evil\x1b]0;title\x07");
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("evil\x1b]0;title\x07:") == 0);
    }
}

TEST_CASE("triage::valid_date accepts real calendar dates only") {
    CHECK(valid_date("2028-02-29"));
    CHECK_FALSE(valid_date("2027-02-29"));
    CHECK_FALSE(valid_date("2027-13-01"));
    CHECK_FALSE(valid_date("2027-1-01"));
    CHECK_FALSE(valid_date("2027/01/01"));
}

TEST_SUITE_END();
