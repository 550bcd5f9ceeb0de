#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "regscan/text.hpp"

using namespace regscan::sdk;

TEST_SUITE_BEGIN("sdk");

namespace {
const std::string mixed = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";  // a, é (2), € (3), 😀 (4), z: 11 bytes
}

TEST_CASE("sdk::utf8_boundary moves a cut back to the start of the character it falls inside") {
    CHECK(utf8_boundary(mixed, 0) == 0);
    CHECK(utf8_boundary(mixed, 1) == 1);
    CHECK(utf8_boundary(mixed, 2) == 1);  // inside é
    CHECK(utf8_boundary(mixed, 3) == 3);
    CHECK(utf8_boundary(mixed, 4) == 3);  // inside €
    CHECK(utf8_boundary(mixed, 5) == 3);
    CHECK(utf8_boundary(mixed, 6) == 6);
    CHECK(utf8_boundary(mixed, 7) == 6);  // inside 😀, one byte in
    CHECK(utf8_boundary(mixed, 9) == 6);  // inside 😀, before its last byte
    CHECK(utf8_boundary(mixed, 10) == 10);
    CHECK(utf8_boundary(mixed, 11) == 11);  // the end: nothing follows to split
    CHECK(utf8_boundary(mixed, 1000) == 11);
    // The end of a view is a boundary, whatever follows it in memory.
    CHECK(utf8_boundary(std::string_view(mixed).substr(0, 2), 2) == 2);
    CHECK(utf8_boundary("", 0) == 0);
    CHECK(utf8_boundary("", 5) == 0);
    // A text that starts inside a character has no earlier boundary: 0.
    CHECK(utf8_boundary("\x82\xac", 1) == 0);
}

TEST_CASE("sdk::utf8_boundary backs off three bytes at most, as the core does") {
    // Invalid text: a run of continuation bytes is not scanned to its start.
    const std::string stray(10, '\x80');
    CHECK(utf8_boundary(stray, 8) == 5);
    CHECK(utf8_boundary(stray, 2) == 0);
}

TEST_CASE("sdk::capped keeps a text that fits and cuts a longer one at a character, marked") {
    CHECK(capped("", 0).empty());
    CHECK(capped("abc", 3) == "abc");  // exact fit: no marker
    CHECK(capped("abcd", 3) == "abc...");
    CHECK(capped("abc", 0) == "...");
    CHECK(capped(mixed, 11) == mixed);
    CHECK(capped(mixed, 10) == mixed.substr(0, 10) + "...");
    CHECK(capped(mixed, 9) == mixed.substr(0, 6) + "...");  // not inside 😀
    CHECK(capped(mixed, 2) == "a...");                      // not inside é
    CHECK(capped(std::string(300, 'y'), 128) == std::string(128, 'y') + "...");
    // Control characters are the core's to show: kept as they are.
    CHECK(capped("a\nb\x1b", 10) == "a\nb\x1b");
}

TEST_CASE("sdk::NameSample names the first entries and counts the rest") {
    NameSample empty;
    CHECK(empty.count() == 0);
    CHECK(empty.unnamed() == 0);
    CHECK(empty.str().empty());

    NameSample three(3);
    three.add("a");
    CHECK(three.str() == "a");
    three.add("b");
    three.add("c");
    CHECK(three.str() == "a, b, c");  // exactly N: nothing counted
    CHECK(three.unnamed() == 0);
    three.add("d");
    CHECK(three.str() == "a, b, c and 1 more");
    for (int i = 0; i < 11; ++i) three.add("x");
    CHECK(three.count() == 15);
    CHECK(three.unnamed() == 12);
    CHECK(three.named() == std::vector<std::string>{"a", "b", "c"});
    CHECK(three.str() == "a, b, c and 12 more");

    NameSample defaults;
    for (int i = 0; i < 25; ++i) defaults.add("n" + std::to_string(i));
    CHECK(defaults.named().size() == NameSample::default_named);
    CHECK(defaults.str() == "n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 and 15 more");
}

TEST_CASE("sdk::NameSample caps each name without splitting a character") {
    NameSample sample(2);
    sample.add(std::string(300, 'y'));
    sample.add(std::string(127, 'z') + "\xc3\xa9");  // é across byte 128
    CHECK(sample.named()[0] == std::string(128, 'y') + "...");
    CHECK(sample.named()[1] == std::string(127, 'z') + "...");
    CHECK(sample.str() == std::string(128, 'y') + "..., " + std::string(127, 'z') + "...");

    NameSample lines(1, 5);
    lines.add("0123456789");
    CHECK(lines.named()[0] == "01234...");
    NameSample exact(1, 5);
    exact.add("01234");
    CHECK(exact.named()[0] == "01234");
}

TEST_CASE("sdk::NameSample keeps separators for empty names and counts alone when it names none") {
    NameSample sample(3);
    sample.add("");
    sample.add("b");
    CHECK(sample.str() == ", b");
    NameSample none(0);
    none.add("a");
    none.add("b");
    CHECK(none.named().empty());
    CHECK(none.str() == "2 more");
}

TEST_SUITE_END();
