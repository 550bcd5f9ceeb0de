// rpm's EVR order: rpmio/rpmver.c (rpmverParse, rpmverCmp) and
// rpmio/rpmvercmp.c (rpmvercmp), as in rpm 4.18, the version behind
// `rpm.vercmp()` and the one the rpm test-suite vectors were checked with.
#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::rpm {

namespace {

struct Evr {
    std::optional<std::string_view> epoch;  // absent: compares as "0"
    std::string_view version;
    std::optional<std::string_view> release;  // absent sorts before present
};

// parseEVR(): leading digits then ':' make an epoch (an empty one is "0");
// the last '-' after them starts the release.
Evr parse_evr(std::string_view evr) {
    Evr out;
    size_t s = 0;
    while (s < evr.size() && text::is_digit(evr[s])) ++s;
    size_t hyphen = evr.substr(s).rfind('-');
    if (hyphen != std::string_view::npos) hyphen += s;
    size_t version_start = 0;
    if (s < evr.size() && evr[s] == ':') {
        out.epoch = s == 0 ? std::string_view("0") : evr.substr(0, s);
        version_start = s + 1;
    }
    if (hyphen != std::string_view::npos) {
        out.version = evr.substr(version_start, hyphen - version_start);
        out.release = evr.substr(hyphen + 1);
    } else {
        out.version = evr.substr(version_start);
    }
    return out;
}

bool is_separator(char c) { return !text::is_alnum(c) && c != '~' && c != '^'; }

bool valid_field(std::string_view field) {
    if (field.empty()) return false;
    for (char c : field)
        if (!text::is_alnum(c) && std::string_view("._+~^").find(c) == std::string_view::npos) return false;
    return true;
}

}  // namespace

int compare_field(std::string_view a, std::string_view b) {
    if (a == b) return 0;
    size_t one = 0, two = 0;
    // Past the end reads as NUL, as in the C string.
    auto at = [](std::string_view s, size_t k) { return k < s.size() ? s[k] : '\0'; };
    while (at(a, one) || at(b, two)) {
        while (at(a, one) && is_separator(at(a, one))) ++one;
        while (at(b, two) && is_separator(at(b, two))) ++two;

        // '~' sorts before everything, even the end of the string.
        if (at(a, one) == '~' || at(b, two) == '~') {
            if (at(a, one) != '~') return 1;
            if (at(b, two) != '~') return -1;
            ++one;
            ++two;
            continue;
        }
        // '^' sorts after the end of the string but before anything else.
        if (at(a, one) == '^' || at(b, two) == '^') {
            if (!at(a, one)) return -1;
            if (!at(b, two)) return 1;
            if (at(a, one) != '^') return 1;
            if (at(b, two) != '^') return -1;
            ++one;
            ++two;
            continue;
        }
        if (!(at(a, one) && at(b, two))) break;

        size_t end1 = one, end2 = two;
        bool numeric = text::is_digit(at(a, one));
        auto same_kind = [numeric](char c) { return numeric ? text::is_digit(c) : text::is_alpha(c); };
        while (at(a, end1) && same_kind(at(a, end1))) ++end1;
        while (at(b, end2) && same_kind(at(b, end2))) ++end2;
        // A number against letters: the number is newer.
        if (end2 == two) return numeric ? 1 : -1;

        std::string_view seg1 = a.substr(one, end1 - one);
        std::string_view seg2 = b.substr(two, end2 - two);
        int r = numeric ? text::compare_digits(seg1, seg2) : text::compare_bytes(seg1, seg2);
        if (r != 0) return r;
        one = end1;
        two = end2;
    }
    if (!at(a, one) && !at(b, two)) return 0;
    return at(a, one) ? 1 : -1;
}

bool accepts(std::string_view version) { return !text::until_nul(version).empty(); }

bool is_valid(std::string_view version) {
    if (version.empty() || version.find('\0') != std::string_view::npos) return false;
    size_t colon = version.find(':');
    if (colon != std::string_view::npos) {
        std::string_view epoch = version.substr(0, colon);
        if (epoch.empty() || !text::all_digits(epoch)) return false;
    }
    Evr evr = parse_evr(version);
    return valid_field(evr.version) && (!evr.release || valid_field(*evr.release));
}

std::optional<int> compare(std::string_view a, std::string_view b) {
    a = text::until_nul(a);
    b = text::until_nul(b);
    if (a.empty() || b.empty()) return std::nullopt;
    Evr ea = parse_evr(a), eb = parse_evr(b);
    if (int r = compare_field(ea.epoch.value_or("0"), eb.epoch.value_or("0"))) return r;
    if (int r = compare_field(ea.version, eb.version)) return r;
    // compare_values(): a missing release sorts before any, even an empty one.
    if (ea.release.has_value() != eb.release.has_value()) return ea.release ? 1 : -1;
    return ea.release ? compare_field(*ea.release, *eb.release) : 0;
}

}  // namespace regscan::versions::rpm
