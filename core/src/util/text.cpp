#include "util/text.hpp"

#include <algorithm>

namespace regscan::util {
namespace {

// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF), or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    size_t length = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (length == 0 || i + length > s.size()) return 0;
    for (size_t k = 1; k < length; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    unsigned char second = byte(i + 1);
    if (c == 0xE0 && second < 0xA0) return 0;   // overlong
    if (c == 0xED && second > 0x9F) return 0;   // surrogate
    if (c == 0xF0 && second < 0x90) return 0;   // overlong
    if (c == 0xF4 && second > 0x8F) return 0;   // above U+10FFFF
    return length;
}

bool is_c1(std::string_view s, size_t i, size_t length) {
    return length == 2 && static_cast<unsigned char>(s[i]) == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F;
}

// The code point of the well-formed sequence at `i` when it is a character
// that reorders or breaks the text around it, or one that shows nothing
// (zero-width, byte order mark, tag characters: "admin\u{200b}" passes for
// "admin", tags can carry a hidden message), else 0.
char32_t format_character(std::string_view s, size_t i, size_t length) {
    auto byte = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
    char32_t code = 0;
    if (length == 2) code = ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    else if (length == 3) code = ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    else if (length == 4)
        code = ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    else return 0;
    const bool format = code == 0x061C || (code >= 0x200B && code <= 0x200F) || (code >= 0x2028 && code <= 0x202E) ||
                        code == 0x2060 || (code >= 0x2066 && code <= 0x2069) || code == 0xFEFF ||
                        (code >= 0xE0000 && code <= 0xE007F);
    return format ? code : 0;
}

// Escaped as a whole: invalid UTF-8, a C1 control, a format character.
bool escaped_sequence(std::string_view s, size_t i, size_t length) {
    return length == 0 || is_c1(s, i, length) || format_character(s, i, length) != 0;
}

// `value`'s lowest `count` hex digits, lowercase.
void append_hex_digits(std::string& out, char32_t value, int count) {
    static constexpr char digits[] = "0123456789abcdef";
    for (int shift = 4 * (count - 1); shift >= 0; shift -= 4) out += digits[(value >> shift) & 0xF];
}

void append_hex(std::string& out, unsigned char c) {
    out += "\\x";
    append_hex_digits(out, c, 2);
}

}  // namespace

std::string escape_control(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            size_t length = utf8_sequence(text, i);
            if (char32_t code = length ? format_character(text, i, length) : 0) {
                out += "\\u{";
                append_hex_digits(out, code, code > 0xFFFF ? 5 : 4);
                out += '}';
                i += length;
            } else if (length == 0 || is_c1(text, i, length)) {
                // Invalid bytes and C1 controls (a raw 0x9b is CSI on some
                // terminals) are shown, never passed through.
                for (size_t k = 0; k < (length ? length : 1); ++k) append_hex(out, static_cast<unsigned char>(text[i + k]));
                i += length ? length : 1;
            } else {
                out.append(text.substr(i, length));
                i += length;
            }
            continue;
        }
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case 0x1b: out += "\\e"; break;
            case '\\': out += "\\\\"; break;
            default:
                if (c < 0x20 || c == 0x7f) append_hex(out, c);
                else out += static_cast<char>(c);
        }
        ++i;
    }
    return out;
}

bool has_control(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            size_t length = utf8_sequence(text, i);
            if (escaped_sequence(text, i, length)) return true;
            i += length;
        } else {
            if (c < 0x20 || c == 0x7f) return true;
            ++i;
        }
    }
    return false;
}

size_t utf8_boundary(std::string_view text, size_t at) {
    at = std::min(at, text.size());
    for (int k = 0; k < 3 && at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80; ++k)
        --at;
    return at;
}

std::string capped(std::string_view text, size_t most, size_t left_out_before) {
    if (text.size() <= most && left_out_before == 0) return std::string(text);
    // Room for the marker with as many digits as the whole size takes.
    auto marker = [](size_t left_out) { return " ... (" + std::to_string(left_out) + " bytes left out)"; };
    const size_t room = marker(text.size() + left_out_before).size();
    const size_t kept = utf8_boundary(text, most > room ? most - room : 0);
    return std::string(text.substr(0, kept)) + marker(text.size() - kept + left_out_before);
}

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        size_t length = utf8_sequence(text, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string ascii_upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y) return false;
    }
    return true;
}

}  // namespace regscan::util
