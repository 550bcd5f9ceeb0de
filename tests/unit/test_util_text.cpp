#include <doctest/doctest.h>

#include "util/text.hpp"

using namespace regscan::util;

TEST_SUITE_BEGIN("util");

TEST_CASE("util::escape_control escapes every control character and keeps printable UTF-8") {
    CHECK(escape_control("team/app:1.0") == "team/app:1.0");
    CHECK(escape_control("a\x1b[2Jb") == "a\\e[2Jb");
    CHECK(escape_control("\x1b]0;pwned\x07") == "\\e]0;pwned\\x07");
    CHECK(escape_control("line\nnext\r\tend") == "line\\nnext\\r\\tend");
    CHECK(escape_control("del\x7f") == "del\\x7f");
    CHECK(escape_control("back\\slash") == "back\\\\slash");
    CHECK(escape_control("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");
    // C1 CSI (U+009B) and invalid bytes are shown as bytes.
    CHECK(escape_control("\xc2\x9b" "31m") == "\\xc2\\x9b31m");
    CHECK(escape_control("bad\xff") == "bad\\xff");
    CHECK(escape_control(std::string("nul\0x", 5)) == "nul\\x00x");
}

TEST_CASE("util::escape_control shows the characters that reorder or break a line") {
    // "evil<RLO>fdp.exe" would read "evilexe.pdf".
    CHECK(escape_control("evil\xe2\x80\xae" "fdp.exe") == "evil\\u{202e}fdp.exe");
    CHECK(escape_control("\xd8\x9c" "a\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xa8\xe2\x80\xa9"
                         "\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9") ==
          "\\u{061c}a\\u{200e}\\u{200f}\\u{2028}\\u{2029}\\u{202a}\\u{2066}\\u{2069}");
    // Their neighbours are ordinary text.
    const std::string neighbours = "\xe2\x80\x94 \xe2\x80\xaf \xe2\x81\xa5 \xd8\x9b";
    CHECK(escape_control(neighbours) == neighbours);
}

TEST_CASE("util::escape_control shows the characters that show nothing") {
    // "admin<ZWSP>" passes for "admin"; tag characters spell a hidden "Hi".
    CHECK(escape_control("admin\xe2\x80\x8b") == "admin\\u{200b}");
    CHECK(escape_control("\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf") == "\\u{200c}\\u{200d}\\u{2060}\\u{feff}");
    CHECK(escape_control("ok\xf3\xa0\x80\x81\xf3\xa0\x81\x88\xf3\xa0\x81\xa9\xf3\xa0\x81\xbf") ==
          "ok\\u{e0001}\\u{e0048}\\u{e0069}\\u{e007f}");
    // Their neighbours are ordinary text: U+200A (hair space), U+2061, U+FEFE, U+E0080, an emoji.
    const std::string neighbours = "\xe2\x80\x8a \xe2\x81\xa1 \xef\xbb\xbe \xf3\xa0\x82\x80 \xf0\x9f\x98\x80";
    CHECK(escape_control(neighbours) == neighbours);
}

TEST_CASE("util::has_control is true for what escape_control escapes other than a backslash") {
    for (std::string text : {"plain", "a\nb", "\x1b", "caf\xc3\xa9", "\xc2\x85", "\xff", "", "x\xe2\x80\xae",
                             "x\xe2\x80\x8b", "\xf3\xa0\x80\x81"}) {
        INFO(text);
        CHECK(has_control(text) == (escape_control(text) != text));
    }
    CHECK_FALSE(has_control("a\\b"));
    CHECK(has_control("a\\b\n"));
}

TEST_CASE("util::capped cuts a long value at a UTF-8 boundary and says how much was left out") {
    CHECK(capped("short", 5) == "short");
    CHECK(capped("", 0) == "");
    const std::string long_text(100, 'x');
    // " ... (100 bytes left out)" takes 25 bytes: 15 of the text are kept.
    CHECK(capped(long_text, 40) == std::string(15, 'x') + " ... (85 bytes left out)");
    // "é" is 2 bytes: the cut does not split it.
    std::string accents;
    for (int i = 0; i < 50; ++i) accents += "\xc3\xa9";
    auto cut = capped(accents, 40);
    CHECK(cut == valid_utf8(cut));
    CHECK(cut == accents.substr(0, 14) + " ... (86 bytes left out)");
    CHECK(capped(long_text, 10) == " ... (100 bytes left out)");  // no room: the marker alone
    // Bytes the caller dropped already are counted, and said even when the rest fits.
    CHECK(capped("abc", 40, 100) == "abc ... (100 bytes left out)");
    CHECK(capped(long_text, 40, 50) == std::string(15, 'x') + " ... (135 bytes left out)");
    for (size_t most : {25, 26, 40, 99, 100}) {
        INFO(most);
        auto once = capped(long_text, most);
        CHECK(once.size() <= most);
        CHECK(capped(once, most) == once);
    }
}

TEST_CASE("util::utf8_boundary moves a cut back to the start of the character it falls inside") {
    const std::string text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";  // a, é (2), € (3), 😀 (4), z
    CHECK(utf8_boundary(text, 0) == 0);
    CHECK(utf8_boundary(text, 1) == 1);
    CHECK(utf8_boundary(text, 2) == 1);  // inside é
    CHECK(utf8_boundary(text, 3) == 3);
    CHECK(utf8_boundary(text, 5) == 3);  // inside €
    CHECK(utf8_boundary(text, 7) == 6);  // the last byte of 😀
    CHECK(utf8_boundary(text, 9) == 6);
    CHECK(utf8_boundary(text, 10) == 10);
    CHECK(utf8_boundary(text, 11) == 11);  // the end
    CHECK(utf8_boundary(text, 100) == 11);
    // Invalid text: never more than three bytes back, so a run of continuation bytes costs nothing.
    const std::string stray(10, '\x80');
    CHECK(utf8_boundary(stray, 8) == 5);
    for (size_t at = 0; at <= text.size(); ++at) {
        INFO(at);
        CHECK(valid_utf8(text.substr(0, utf8_boundary(text, at))) == text.substr(0, utf8_boundary(text, at)));
    }
}

TEST_CASE("util::valid_utf8 replaces invalid sequences only") {
    CHECK(valid_utf8("libc6") == "libc6");
    CHECK(valid_utf8("lib\xff" "c") == "lib\xef\xbf\xbd" "c");
    CHECK(valid_utf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");          // overlong '/'
    CHECK(valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
    CHECK(valid_utf8("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");
    CHECK(valid_utf8("cut\xe2\x9c") == "cut\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("ascii_lower lowercases A-Z only, whatever the locale") {
    CHECK(ascii_lower("PostgreSQL://Host") == "postgresql://host");
    CHECK(ascii_lower("CVE-2026-9001 PYSEC_1.x") == "cve-2026-9001 pysec_1.x");
    CHECK(ascii_lower("\xc3\x89T\xc3\xa9") == "\xc3\x89t\xc3\xa9");  // UTF-8 bytes kept as they are
    CHECK(ascii_lower("") == "");
}

TEST_CASE("ascii_upper uppercases a-z only") {
    CHECK(ascii_upper("gpl-2.0+ with") == "GPL-2.0+ WITH");
    CHECK(ascii_upper("\xc3\xa9t") == "\xc3\xa9T");
}

TEST_CASE("ascii_iequals ignores the case of A-Z and nothing else") {
    CHECK(ascii_iequals("Content-Type", "content-type"));
    CHECK_FALSE(ascii_iequals("Content-Type", "content-typ"));
    CHECK_FALSE(ascii_iequals("\xc3\x89", "\xc3\xa9"));
    CHECK(ascii_iequals("", ""));
}

TEST_SUITE_END();
