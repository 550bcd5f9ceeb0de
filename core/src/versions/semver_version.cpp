// node-semver 7 (classes/semver.js, internal/re.js, internal/identifiers.js):
// the parser npm itself uses. Numbers are JavaScript doubles there, and the
// port keeps that: huge prerelease numbers compare as their rounded doubles.
#include <algorithm>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::semver {

namespace {

constexpr size_t max_length = 256;                     // MAX_LENGTH
constexpr double max_safe_integer = 9007199254740991;  // Number.MAX_SAFE_INTEGER

// A prerelease identifier as node-semver keeps it: a number when it is all
// digits and below MAX_SAFE_INTEGER, otherwise the string.
struct Identifier {
    bool is_number = false;
    double number = 0;
    std::string_view text;
};

struct Parsed {
    double major = 0, minor = 0, patch = 0;
    std::vector<Identifier> prerelease;
};

double to_number(std::string_view digits) {  // JavaScript's +"digits"
    return std::strtod(std::string(digits).c_str(), nullptr);
}

bool is_ident_char(char c) { return text::is_alnum(c) || c == '-'; }

// `0|[1-9]\d*` (strict) or `[0-9]+` (loose) spanning all of `s`.
bool numeric_identifier(std::string_view s, bool loose) {
    if (s.empty() || !text::all_digits(s)) return false;
    return loose || s == "0" || s.front() != '0';
}

// PRERELEASEIDENTIFIER: numeric, or digits then a letter or '-' then more.
bool prerelease_identifier(std::string_view s, bool loose) {
    if (numeric_identifier(s, loose)) return true;
    if (s.empty() || !std::all_of(s.begin(), s.end(), is_ident_char)) return false;
    return !text::all_digits(s);
}

template <typename Pred>
bool dotted(std::string_view s, Pred valid) {
    size_t start = 0;
    while (true) {
        size_t dot = s.find('.', start);
        if (!valid(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start)))
            return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

std::vector<Identifier> split_prerelease(std::string_view s) {
    std::vector<Identifier> out;
    size_t start = 0;
    while (true) {
        size_t dot = s.find('.', start);
        Identifier id;
        id.text = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (text::all_digits(id.text)) {
            double n = to_number(id.text);
            if (n < max_safe_integer) {
                id.is_number = true;
                id.number = n;
            }
        }
        out.push_back(id);
        if (dot == std::string_view::npos) return out;
        start = dot + 1;
    }
}

// FULL: v?MAIN(-PRERELEASE)?(+BUILD)? with no ambiguity, so no backtracking.
bool match_strict(std::string_view s, std::string_view (&main)[3], std::string_view& pre) {
    if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
    size_t build = s.find('+');
    if (build != std::string_view::npos) {
        if (!dotted(s.substr(build + 1), [](std::string_view id) {
                return !id.empty() && std::all_of(id.begin(), id.end(), is_ident_char);
            }))
            return false;
        s = s.substr(0, build);
    }
    size_t dash = s.find('-');
    pre = {};
    if (dash != std::string_view::npos) {
        pre = s.substr(dash + 1);
        if (!dotted(pre, [](std::string_view id) { return prerelease_identifier(id, false); })) return false;
        s = s.substr(0, dash);
    }
    for (int k = 0; k < 3; ++k) {
        size_t dot = k < 2 ? s.find('.') : s.size();
        if (dot == std::string_view::npos) return false;
        main[k] = s.substr(0, dot);
        if (!numeric_identifier(main[k], false)) return false;
        s.remove_prefix(k < 2 ? dot + 1 : dot);
    }
    return true;
}

// LOOSE lets the patch number give digits to a prerelease with no '-'
// ("1.2.34.5" is 1.2.3-4.5), which needs the regex's backtracking: use the
// same expression. `[v=\s]*` is stripped by hand since \s is Unicode there.
bool match_loose(std::string_view s, std::string_view (&main)[3], std::string_view& pre) {
    static const std::regex loose(
        "([0-9]+)\\.([0-9]+)\\.([0-9]+)"
        "(?:-?((?:[0-9]+|[0-9]*[a-zA-Z-][a-zA-Z0-9-]*)(?:\\.(?:[0-9]+|[0-9]*[a-zA-Z-][a-zA-Z0-9-]*))*))?"
        "(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?",
        std::regex::ECMAScript | std::regex::optimize);
    s = text::trim_js_space_left(s, "v=");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(s.begin(), s.end(), m, loose)) return false;
    auto group = [&](int k) { return m[k].matched ? std::string_view(m[k].first, m[k].second) : std::string_view(); };
    for (int k = 0; k < 3; ++k) main[k] = group(k + 1);
    pre = group(4);
    return true;
}

std::optional<Parsed> parse(std::string_view raw, bool loose) {
    if (text::utf16_length(raw) > max_length) return std::nullopt;
    std::string_view s = text::trim_js_space(raw);
    std::string_view main[3];
    std::string_view pre;
    if (!(loose ? match_loose(s, main, pre) : match_strict(s, main, pre))) return std::nullopt;
    Parsed p;
    double* fields[3] = {&p.major, &p.minor, &p.patch};
    for (int k = 0; k < 3; ++k) {
        *fields[k] = to_number(main[k]);
        if (*fields[k] > max_safe_integer) return std::nullopt;
    }
    if (!pre.empty()) p.prerelease = split_prerelease(pre);
    return p;
}

int compare_numbers(double a, double b) { return a == b ? 0 : (a < b ? -1 : 1); }

// compareIdentifiers(): numbers (or all-digit strings, as doubles) first.
int compare_identifiers(const Identifier& a, const Identifier& b) {
    bool anum = a.is_number || text::all_digits(a.text);
    bool bnum = b.is_number || text::all_digits(b.text);
    if (anum && bnum) {
        return compare_numbers(a.is_number ? a.number : to_number(a.text),
                               b.is_number ? b.number : to_number(b.text));
    }
    if (anum != bnum) return anum ? -1 : 1;
    return text::compare_bytes(a.text, b.text);
}

bool strictly_equal(const Identifier& a, const Identifier& b) {  // JavaScript's ===
    if (a.is_number != b.is_number) return false;
    return a.is_number ? a.number == b.number : a.text == b.text;
}

int compare_parsed(const Parsed& a, const Parsed& b) {
    if (int r = compare_numbers(a.major, b.major)) return r;
    if (int r = compare_numbers(a.minor, b.minor)) return r;
    if (int r = compare_numbers(a.patch, b.patch)) return r;
    if (a.prerelease.empty() || b.prerelease.empty())
        return a.prerelease.empty() == b.prerelease.empty() ? 0 : (a.prerelease.empty() ? 1 : -1);
    for (size_t i = 0;; ++i) {
        bool a_end = i >= a.prerelease.size(), b_end = i >= b.prerelease.size();
        if (a_end && b_end) return 0;
        if (b_end) return 1;
        if (a_end) return -1;
        if (strictly_equal(a.prerelease[i], b.prerelease[i])) continue;
        // node-semver returns here even when the doubles tie.
        return compare_identifiers(a.prerelease[i], b.prerelease[i]);
    }
}

}  // namespace

bool is_valid(std::string_view version, bool loose) { return parse(version, loose).has_value(); }

std::optional<int> compare(std::string_view a, std::string_view b, bool loose) {
    auto pa = parse(a, loose);
    auto pb = parse(b, loose);
    if (!pa || !pb) return std::nullopt;
    return compare_parsed(*pa, *pb);
}

}  // namespace regscan::versions::semver
