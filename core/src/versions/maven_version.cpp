// maven-artifact's ComparableVersion as shipped with Maven 3.8.7 (Debian 12's
// maven, the oracle in tests/oracle; ported from its bytecode, since 3.8.x
// sources differ in parseVersion()): items are numbers, qualifiers and
// nested lists; '-', digit/letter transitions and a qualifier after other
// items open a list, '.' does not; trailing "null" items are dropped.
// Two deliberate differences, both as in Maven's current master: non-ASCII
// digits are letters (3.8 parses "\u0668" as 8), and versions longer than
// max_length are refused rather than nested thousands of lists deep.
#include <algorithm>
#include <cwctype>
#include <locale.h>
#include <string>
#include <vector>

#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::maven {

namespace {

constexpr size_t max_length = 1024;

// Kind order matters: 3.8 compares an IntItem below any LongItem below any
// BigIntegerItem without looking at values, so "0000000000" (a LongItem)
// sorts after "1". Kinds come from the digit count, as in parseItem().
enum class Kind { Int, Long, Big, String, List };

struct Item {
    Kind kind = Kind::Int;
    std::string text;  // digits without leading zeros ("" is 0), or the qualifier
    std::vector<Item> items;
    [[nodiscard]] bool is_number() const { return kind == Kind::Int || kind == Kind::Long || kind == Kind::Big; }
};

// Index in QUALIFIERS = {alpha, beta, milestone, rc, snapshot, "", sp};
// unknown qualifiers rank 7 and then sort by text ("7-" + qualifier).
constexpr int release_rank = 5;
int qualifier_rank(std::string_view q) {
    static constexpr std::string_view known[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
    for (int i = 0; i < 7; ++i)
        if (q == known[i]) return i;
    return 7;
}

bool is_null(const Item& item) {
    switch (item.kind) {
    case Kind::Int:
    case Kind::Long:
    case Kind::Big: return item.text.empty();
    case Kind::String: return qualifier_rank(item.text) == release_rank;
    case Kind::List: return item.items.empty();
    }
    return false;
}

// Java's String.compareTo: UTF-16 code units, which differs from UTF-8 byte
// order only for characters above U+FFFF against U+E000..U+FFFF.
std::u16string to_utf16(std::string_view s) {
    std::u16string out;
    for (size_t i = 0; i < s.size();) {
        unsigned char b0 = static_cast<unsigned char>(s[i]);
        size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xe ? 3 : (b0 >> 3) == 0x1e ? 4 : 0;
        char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
        bool ok = len != 0 && i + len <= s.size();
        for (size_t k = 1; ok && k < len; ++k) {
            unsigned char b = static_cast<unsigned char>(s[i + k]);
            ok = (b & 0xc0) == 0x80;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (!ok) {  // keep stray bytes distinct rather than merging them
            out.push_back(static_cast<char16_t>(0xdc00 + b0));
            ++i;
            continue;
        }
        if (cp > 0xffff) {
            cp -= 0x10000;
            out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
            out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
        i += len;
    }
    return out;
}

int compare_java_strings(std::string_view a, std::string_view b) {
    bool ascii = std::all_of(a.begin(), a.end(), [](char c) { return c >= 0; }) &&
                 std::all_of(b.begin(), b.end(), [](char c) { return c >= 0; });
    if (ascii) return text::compare_bytes(a, b);
    std::u16string ua = to_utf16(a), ub = to_utf16(b);
    return text::sign(ua.compare(ub));
}

int compare_qualifiers(std::string_view a, std::string_view b) {
    int ra = qualifier_rank(a), rb = qualifier_rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    return ra == 7 ? compare_java_strings(a, b) : 0;
}

int compare_numbers(const Item& a, const Item& b) {
    if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;
    return text::compare_digits(a.text, b.text);
}

// Item.compareTo(null): how an item compares with a missing one.
int compare_with_nothing(const Item& item) {
    switch (item.kind) {
    case Kind::Int:
    case Kind::Long:
    case Kind::Big: return item.text.empty() ? 0 : 1;
    case Kind::String: return text::sign(qualifier_rank(item.text) - release_rank);
    case Kind::List:
        for (const Item& child : item.items)
            if (int r = compare_with_nothing(child)) return r;
        return 0;
    }
    return 0;
}

int compare_items(const Item& a, const Item& b) {
    if (a.is_number()) {
        if (b.is_number()) return compare_numbers(a, b);
        return 1;  // 1.1 > 1-sp, 1.1 > 1-1
    }
    if (a.kind == Kind::String) {
        if (b.kind == Kind::String) return compare_qualifiers(a.text, b.text);
        return -1;  // 1.any < 1.1, 1.any < 1-1
    }
    if (b.is_number()) return -1;  // 1-1 < 1.0.x
    if (b.kind == Kind::String) return 1;  // 1-1 > 1-sp
    for (size_t i = 0; i < a.items.size() || i < b.items.size(); ++i) {
        int r;
        if (i >= a.items.size()) r = -compare_with_nothing(b.items[i]);
        else if (i >= b.items.size()) r = compare_with_nothing(a.items[i]);
        else r = compare_items(a.items[i], b.items[i]);
        if (r != 0) return r;
    }
    return 0;
}

// Java's toLowerCase(Locale.ENGLISH), approximated by the C library's
// simple case mapping; U+0130 lowers to "i\u0307" as in Java.
std::string lower(std::string_view s) {
    static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        unsigned char b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            out += text::to_lower(static_cast<char>(b0));
            ++i;
            continue;
        }
        size_t len = (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xe ? 3 : (b0 >> 3) == 0x1e ? 4 : 0;
        bool ok = len != 0 && i + len <= s.size();
        char32_t cp = len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
        for (size_t k = 1; ok && k < len; ++k) {
            unsigned char b = static_cast<unsigned char>(s[i + k]);
            ok = (b & 0xc0) == 0x80;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (!ok || utf8 == static_cast<locale_t>(0)) {
            out += s[i++];
            continue;
        }
        if (cp == 0x130) {
            out += "i\xcc\x87";
            i += len;
            continue;
        }
        char32_t low = static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), utf8));
        if (low < 0x80) {  // U+212A KELVIN SIGN is "k"
            out += static_cast<char>(low);
            i += len;
            continue;
        }
        if (low < 0x800) {
            out += static_cast<char>(0xc0 | (low >> 6));
        } else if (low < 0x10000) {
            out += static_cast<char>(0xe0 | (low >> 12));
            out += static_cast<char>(0x80 | ((low >> 6) & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (low >> 18));
            out += static_cast<char>(0x80 | ((low >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((low >> 6) & 0x3f));
        }
        out += static_cast<char>(0x80 | (low & 0x3f));
        i += len;
    }
    return out;
}

Item make_number(std::string_view digits) {
    // stripLeadingZeroes() keeps an all-zero run as it is, so its length
    // still picks the kind; the value is then 0.
    size_t i = 0;
    while (i < digits.size() && digits[i] == '0') ++i;
    std::string_view stripped = i == digits.size() ? digits : digits.substr(i);
    Item item;
    item.kind = stripped.size() <= 9 ? Kind::Int : stripped.size() <= 18 ? Kind::Long : Kind::Big;
    item.text = std::string(digits.substr(i));
    return item;
}

Item make_string(std::string_view value, bool followed_by_digit) {
    Item item;
    item.kind = Kind::String;
    if (followed_by_digit && value.size() == 1) {
        if (value == "a") value = "alpha";
        else if (value == "b") value = "beta";
        else if (value == "m") value = "milestone";
    }
    if (value == "ga" || value == "final" || value == "release") value = "";
    else if (value == "cr") value = "rc";
    item.text = std::string(value);
    return item;
}

Item parse_item(bool digit, std::string_view buf) { return digit ? make_number(buf) : make_string(buf, false); }

void normalize(Item& list) {
    for (size_t i = list.items.size(); i-- > 0;) {
        if (is_null(list.items[i])) list.items.erase(list.items.begin() + static_cast<std::ptrdiff_t>(i));
        else if (list.items[i].kind != Kind::List) break;
    }
}

// parseVersion(): builds the nested lists; a path of indices stands in for
// the Java stack, and lists are normalised innermost first.
Item parse(std::string_view raw) {
    std::string version = lower(raw);
    Item root;
    root.kind = Kind::List;
    std::vector<Item*> stack{&root};
    Item* list = &root;
    bool digit = false;
    size_t start = 0;
    auto open_list = [&] {
        Item child;
        child.kind = Kind::List;
        list->items.push_back(std::move(child));
        list = &list->items.back();
        stack.push_back(list);
    };
    for (size_t i = 0; i < version.size(); ++i) {
        char c = version[i];
        std::string_view pending(version.data() + start, i - start);
        if (c == '.' || c == '-') {
            if (i == start) list->items.push_back(make_number("0"));
            else list->items.push_back(parse_item(digit, pending));
            start = i + 1;
            if (c == '-') open_list();
        } else if (text::is_digit(c)) {
            if (!digit && i > start) {
                // A qualifier after other items starts its own list: 2.0.a == 2-a.
                if (!list->items.empty()) open_list();
                list->items.push_back(make_string(pending, true));
                start = i;
                open_list();
            }
            digit = true;
        } else {
            if (digit && i > start) {
                list->items.push_back(parse_item(true, pending));
                start = i;
                open_list();
            }
            digit = false;
        }
    }
    if (version.size() > start) {
        if (!digit && !list->items.empty()) open_list();
        list->items.push_back(parse_item(digit, std::string_view(version).substr(start)));
    }
    // Pointers stay valid: a list gets no new children once a deeper one is open.
    while (!stack.empty()) {
        normalize(*stack.back());
        stack.pop_back();
    }
    return root;
}

// ListItem.toString(): the separator goes in only once the text so far is
// not empty, so a leading "" qualifier leaves no trace: "1-ga.x" is "1-x".
std::string canonical_text(const Item& list) {
    std::string out;
    for (const Item& item : list.items) {
        if (!out.empty()) out += item.kind == Kind::List ? '-' : '.';
        if (item.kind == Kind::List) out += canonical_text(item);
        else if (item.is_number()) out += item.text.empty() ? "0" : item.text;
        else out += item.text;
    }
    return out;
}

}  // namespace

bool accepts(std::string_view version) { return text::utf16_length(version) <= max_length; }

bool is_valid(std::string_view version) {
    if (version.empty() || !accepts(version)) return false;
    // Maven orders anything; "valid" here means it reads as a version:
    // printable, no spaces, starting with a digit.
    for (char c : version)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    return text::is_digit(version.front());
}

std::optional<int> compare(std::string_view a, std::string_view b) {
    if (!accepts(a) || !accepts(b)) return std::nullopt;
    return compare_items(parse(a), parse(b));
}

std::string canonical(std::string_view version) { return canonical_text(parse(version)); }

}  // namespace regscan::versions::maven
