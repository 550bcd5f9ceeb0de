// golang.org/x/mod/semver, the order the go command uses for module versions:
// "v" MAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]], with "v1" and "v1.2" as
// shorthands for v1.0.0 and v1.2.0. Build metadata ("+incompatible") is
// ignored and pseudo-versions are ordinary prereleases. OSV writes Go
// versions without the "v", so one is assumed when missing.
#include <string>

#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::go {

namespace {

struct Parsed {
    std::string_view major, minor = "0", patch = "0";
    std::string_view prerelease;  // with its leading '-', or empty
};

// Numbers: digits with no leading zero.
bool take_int(std::string_view& v, std::string_view& out) {
    size_t i = 0;
    while (i < v.size() && text::is_digit(v[i])) ++i;
    if (i == 0 || (v[0] == '0' && i != 1)) return false;
    out = v.substr(0, i);
    v.remove_prefix(i);
    return true;
}

bool is_ident_char(char c) { return text::is_alnum(c) || c == '-'; }

bool bad_number(std::string_view id) {
    return id.size() > 1 && id[0] == '0' && text::all_digits(id);
}

// Dot-separated non-empty identifiers up to `stop`; numeric ones without
// leading zeros when `check_numbers`.
bool take_identifiers(std::string_view& v, char stop, bool check_numbers, std::string_view& out) {
    size_t i = 1, start = 1;
    for (; i < v.size() && v[i] != stop; ++i) {
        if (!is_ident_char(v[i]) && v[i] != '.') return false;
        if (v[i] == '.') {
            if (start == i || (check_numbers && bad_number(v.substr(start, i - start)))) return false;
            start = i + 1;
        }
    }
    if (start == i || (check_numbers && bad_number(v.substr(start, i - start)))) return false;
    out = v.substr(0, i);
    v.remove_prefix(i);
    return true;
}

std::optional<Parsed> parse(std::string_view v) {
    Parsed p;
    if (v.empty()) return std::nullopt;
    if (v[0] == 'v') v.remove_prefix(1);
    if (!take_int(v, p.major)) return std::nullopt;
    if (v.empty()) return p;
    if (v[0] != '.') return std::nullopt;
    v.remove_prefix(1);
    if (!take_int(v, p.minor)) return std::nullopt;
    if (v.empty()) return p;
    if (v[0] != '.') return std::nullopt;
    v.remove_prefix(1);
    if (!take_int(v, p.patch)) return std::nullopt;
    if (!v.empty() && v[0] == '-' && !take_identifiers(v, '+', true, p.prerelease)) return std::nullopt;
    std::string_view build;
    if (!v.empty() && v[0] == '+' && !take_identifiers(v, '\0', false, build)) return std::nullopt;
    if (!v.empty()) return std::nullopt;
    return p;
}

std::string_view next_identifier(std::string_view& s) {
    size_t dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    s = dot == std::string_view::npos ? std::string_view() : s.substr(dot);
    return id;
}

int compare_prerelease(std::string_view x, std::string_view y) {
    if (x == y) return 0;
    if (x.empty()) return 1;
    if (y.empty()) return -1;
    while (!x.empty() && !y.empty()) {
        x.remove_prefix(1);  // the '-' or '.'
        y.remove_prefix(1);
        std::string_view dx = next_identifier(x), dy = next_identifier(y);
        if (dx == dy) continue;
        bool nx = text::all_digits(dx), ny = text::all_digits(dy);
        if (nx != ny) return nx ? -1 : 1;
        if (nx && dx.size() != dy.size()) return dx.size() < dy.size() ? -1 : 1;
        return dx < dy ? -1 : 1;
    }
    return x.empty() ? -1 : 1;
}

}  // namespace

bool is_valid(std::string_view version) { return parse(version).has_value(); }

std::optional<int> compare(std::string_view a, std::string_view b) {
    auto pa = parse(a), pb = parse(b);
    if (!pa || !pb) return std::nullopt;
    if (int r = text::compare_digits(pa->major, pb->major)) return r;
    if (int r = text::compare_digits(pa->minor, pb->minor)) return r;
    if (int r = text::compare_digits(pa->patch, pb->patch)) return r;
    return compare_prerelease(pa->prerelease, pb->prerelease);
}

}  // namespace regscan::versions::go
