#include "versions/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace regscan::versions::text {

namespace {

// Decodes one UTF-8 sequence at `pos`; returns its length, or 0 if invalid.
size_t decode_utf8(std::string_view s, size_t pos, char32_t& out) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char b0 = byte(pos);
    size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xe ? 3 : (b0 >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || pos + len > s.size()) return 0;
    char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
    for (size_t i = 1; i < len; ++i) {
        if ((byte(pos + i) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (byte(pos + i) & 0x3f);
    }
    out = cp;
    return len;
}

// Code points a trim set shares between Python and JavaScript.
bool is_unicode_space_common(char32_t c) {
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

bool is_python_space(char32_t c) {
    return is_unicode_space_common(c) || (c >= 0x1c && c <= 0x1f) || c == 0x85;
}

bool is_js_space(char32_t c) { return is_unicode_space_common(c) || c == 0xfeff; }

template <typename Pred>
std::string_view trim_unicode(std::string_view s, Pred is_space) {
    // Leading: decode forward.
    size_t start = 0;
    while (start < s.size()) {
        char32_t cp = 0;
        size_t len = decode_utf8(s, start, cp);
        if (len == 0 || !is_space(cp)) break;
        start += len;
    }
    // Trailing: step back over continuation bytes to each sequence start.
    size_t end = s.size();
    while (end > start) {
        size_t begin = end - 1;
        while (begin > start && end - begin < 4 &&
               (static_cast<unsigned char>(s[begin]) & 0xc0) == 0x80)
            --begin;
        char32_t cp = 0;
        size_t len = decode_utf8(s, begin, cp);
        if (len != end - begin || !is_space(cp)) break;
        end = begin;
    }
    return s.substr(start, end - start);
}

}  // namespace

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c); });
}

int compare_digits(std::string_view a, std::string_view b) {
    auto strip = [](std::string_view s) {
        size_t i = 0;
        while (i < s.size() && s[i] == '0') ++i;
        return s.substr(i);
    };
    a = strip(a);
    b = strip(b);
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return sign(a.compare(b));
}

int compare_bytes(std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size());
    int r = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
    if (r != 0) return sign(r);
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

bool iequals_ascii(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

std::string_view until_nul(std::string_view s) {
    return s.substr(0, s.find('\0'));
}

std::string_view trim_python_space(std::string_view s) { return trim_unicode(s, is_python_space); }

std::string_view trim_js_space(std::string_view s) { return trim_unicode(s, is_js_space); }

std::string_view trim_js_space_left(std::string_view s, std::string_view extra) {
    size_t start = 0;
    while (start < s.size()) {
        if (extra.find(s[start]) != std::string_view::npos) {
            ++start;
            continue;
        }
        char32_t cp = 0;
        size_t len = decode_utf8(s, start, cp);
        if (len == 0 || !is_js_space(cp)) break;
        start += len;
    }
    return s.substr(start);
}

size_t utf16_length(std::string_view utf8) {
    size_t units = 0;
    for (size_t i = 0; i < utf8.size();) {
        char32_t cp = 0;
        size_t len = decode_utf8(utf8, i, cp);
        if (len == 0) {
            ++units;
            ++i;
            continue;
        }
        units += cp > 0xffff ? 2 : 1;
        i += len;
    }
    return units;
}

}  // namespace regscan::versions::text
