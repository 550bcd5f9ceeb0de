// Character and number helpers shared by the version schemes. All classes are
// ASCII-only on purpose: the C references (dpkg, rpm, apk) use C-locale or
// their own ASCII tables, and the others accept only ASCII in versions.
#pragma once

#include <string_view>

namespace regscan::versions::text {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_alpha(char c) { return is_lower(c) || is_upper(c); }
constexpr bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
constexpr char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr int sign(int value) { return (value > 0) - (value < 0); }

bool all_digits(std::string_view s);

// Two runs of ASCII digits compared as unbounded non-negative integers, so
// no reference's int, long or BigInteger limit leaks into the order.
int compare_digits(std::string_view a, std::string_view b);

// Byte-wise (memcmp then length), the order of strcmp and of UTF-8 code points.
int compare_bytes(std::string_view a, std::string_view b);

bool iequals_ascii(std::string_view a, std::string_view b);

// A C string ends at its first NUL; the C references never see the rest.
std::string_view until_nul(std::string_view s);

// Python's str.isspace() set, which re's \s uses (packaging strips it).
std::string_view trim_python_space(std::string_view s);
// JavaScript's String.prototype.trim() set (node-semver trims with it).
std::string_view trim_js_space(std::string_view s);
// Drops leading characters that are JavaScript whitespace or in `extra`.
std::string_view trim_js_space_left(std::string_view s, std::string_view extra);

// Length in UTF-16 code units, as Java and JavaScript count it. Invalid UTF-8
// bytes count one each.
size_t utf16_length(std::string_view utf8);

}  // namespace regscan::versions::text
