// Natural order for ecosystems without a port (RubyGems, NuGet, Packagist,
// ...) and the tie-breaker for versions a scheme refuses. Runs of digits are
// numbers, runs of letters are words (case-insensitive), anything else only
// separates. Missing trailing components count as 0, and a word sorts below
// every number, so "1.0" == "1", "1.0rc1" < "1.0" < "1.0.1" and
// "1.0-beta" < "1.0". A total preorder, whatever the input.
#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::generic {

namespace {

struct Token {
    bool numeric = true;
    std::string_view text;  // empty numeric: the implicit 0 past the end
};

// Returns the next token at or after `pos`, or an implicit 0 at the end.
Token next_token(std::string_view s, size_t& pos) {
    while (pos < s.size() && !text::is_alnum(s[pos])) ++pos;
    if (pos == s.size()) return {};
    size_t start = pos;
    bool numeric = text::is_digit(s[pos]);
    while (pos < s.size() && text::is_alnum(s[pos]) && text::is_digit(s[pos]) == numeric) ++pos;
    return {numeric, s.substr(start, pos - start)};
}

int compare_words(std::string_view a, std::string_view b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        char x = text::to_lower(a[i]), y = text::to_lower(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

std::string_view strip(std::string_view s) {
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
    if (s.size() > 1 && (s[0] == 'v' || s[0] == 'V') && text::is_digit(s[1])) s.remove_prefix(1);
    return s;
}

}  // namespace

bool is_valid(std::string_view version) {
    version = strip(version);
    if (version.empty()) return false;
    bool digit = false;
    for (char c : version) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
        digit = digit || text::is_digit(c);
    }
    return digit;
}

int compare(std::string_view a, std::string_view b) {
    a = strip(a);
    b = strip(b);
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        Token x = next_token(a, i), y = next_token(b, j);
        if (x.numeric != y.numeric) return x.numeric ? 1 : -1;
        int r = x.numeric ? text::compare_digits(x.text, y.text) : compare_words(x.text, y.text);
        if (r != 0) return r;
    }
    return 0;
}

}  // namespace regscan::versions::generic
