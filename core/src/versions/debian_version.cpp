// dpkg's version syntax and order: lib/dpkg/parsehelp.c parseversion() and
// lib/dpkg/version.c verrevcmp(), ported rule for rule (checked against
// libdpkg by tests/oracle).
#include <climits>
#include <cstdint>

#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::debian {

namespace {

enum class Verdict { ok, warning, error };

struct Parsed {
    long epoch = 0;
    std::string_view upstream;
    std::string_view revision;
};

// dpkg's c_isblank / c_isspace (C locale).
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// strtol(s, &end, 10) as glibc does it; `overflow` for ERANGE.
long parse_strtol(std::string_view s, size_t& end, bool& overflow) {
    size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    size_t digits_start = i;
    const unsigned long long limit = static_cast<unsigned long long>(LONG_MAX) + (negative ? 1 : 0);
    unsigned long long magnitude = 0;
    overflow = false;
    for (; i < s.size() && text::is_digit(s[i]); ++i) {
        unsigned digit = static_cast<unsigned>(s[i] - '0');
        if (overflow || magnitude > (limit - digit) / 10) overflow = true;
        else magnitude = magnitude * 10 + digit;
    }
    if (i == digits_start) {  // no number: endptr is the start of the string
        end = 0;
        return 0;
    }
    end = i;
    if (overflow) return negative ? LONG_MIN : LONG_MAX;
    if (!negative) return static_cast<long>(magnitude);
    return magnitude == 0 ? 0 : -static_cast<long>(magnitude - 1) - 1;
}

Verdict parse(std::string_view input, Parsed& out) {
    std::string_view s = text::until_nul(input);
    size_t start = 0;
    while (start < s.size() && is_blank(s[start])) ++start;
    s.remove_prefix(start);
    if (s.empty()) return Verdict::error;  // version string is empty

    size_t end = 0;
    while (end < s.size() && !is_blank(s[end])) ++end;
    for (size_t i = end; i < s.size(); ++i)
        if (!is_space(s[i])) return Verdict::error;  // embedded spaces
    s = s.substr(0, end);

    out.epoch = 0;
    if (size_t colon = s.find(':'); colon != std::string_view::npos) {
        size_t epoch_end = 0;
        bool overflow = false;
        long epoch = parse_strtol(s, epoch_end, overflow);
        if (epoch_end == 0) return Verdict::error;      // epoch is empty
        if (epoch_end != colon) return Verdict::error;  // epoch is not a number
        if (epoch < 0) return Verdict::error;
        if (epoch > INT_MAX || overflow) return Verdict::error;
        if (colon + 1 == s.size()) return Verdict::error;  // nothing after colon
        out.epoch = epoch;
        s.remove_prefix(colon + 1);
    }

    out.revision = {};
    out.upstream = s;
    if (size_t hyphen = s.rfind('-'); hyphen != std::string_view::npos) {
        out.upstream = s.substr(0, hyphen);
        out.revision = s.substr(hyphen + 1);
        if (out.revision.empty()) return Verdict::error;  // revision is empty
    }
    if (out.upstream.empty()) return Verdict::error;  // version number is empty

    // From here dpkg only warns and still compares what it parsed.
    if (!text::is_digit(out.upstream.front())) return Verdict::warning;
    for (char c : out.upstream.substr(1))
        if (!text::is_alnum(c) && std::string_view(".-+~:").find(c) == std::string_view::npos)
            return Verdict::warning;
    for (char c : out.revision)
        if (!text::is_alnum(c) && std::string_view(".+~").find(c) == std::string_view::npos)
            return Verdict::warning;
    return Verdict::ok;
}

// dpkg's order(): '~' before the end, letters next, then everything else.
// `char` is signed on the platforms dpkg ships for, so bytes >= 0x80 land
// between the letters and the ASCII punctuation; kept so for fidelity.
int order(int c) {
    if (text::is_digit(static_cast<char>(c)) && c >= 0) return 0;
    if (c >= 0 && text::is_alpha(static_cast<char>(c))) return c;
    if (c == '~') return -1;
    if (c != 0) return c + 256;
    return 0;
}

int verrevcmp(std::string_view a, std::string_view b) {
    size_t i = 0, j = 0;
    // Past the end reads as NUL, as in the C string.
    auto at = [](std::string_view s, size_t k) -> int {
        return k < s.size() ? static_cast<int>(static_cast<signed char>(s[k])) : 0;
    };
    auto digit = [](int c) { return c >= '0' && c <= '9'; };
    while (at(a, i) || at(b, j)) {
        int first_diff = 0;
        while ((at(a, i) && !digit(at(a, i))) || (at(b, j) && !digit(at(b, j)))) {
            int ac = order(at(a, i));
            int bc = order(at(b, j));
            if (ac != bc) return ac - bc;
            ++i;
            ++j;
        }
        while (at(a, i) == '0') ++i;
        while (at(b, j) == '0') ++j;
        while (digit(at(a, i)) && digit(at(b, j))) {
            if (!first_diff) first_diff = at(a, i) - at(b, j);
            ++i;
            ++j;
        }
        if (digit(at(a, i))) return 1;
        if (digit(at(b, j))) return -1;
        if (first_diff) return first_diff;
    }
    return 0;
}

}  // namespace

bool is_valid(std::string_view version) {
    Parsed parsed;
    return parse(version, parsed) == Verdict::ok;
}

bool accepts(std::string_view version) {
    Parsed parsed;
    return parse(version, parsed) != Verdict::error;
}

std::optional<int> compare(std::string_view a, std::string_view b) {
    Parsed pa, pb;
    if (parse(a, pa) == Verdict::error || parse(b, pb) == Verdict::error) return std::nullopt;
    if (pa.epoch != pb.epoch) return pa.epoch < pb.epoch ? -1 : 1;
    if (int r = verrevcmp(pa.upstream, pb.upstream)) return text::sign(r);
    return text::sign(verrevcmp(pa.revision, pb.revision));
}

}  // namespace regscan::versions::debian
