// apk-tools 3 src/version.c, ported token for token: a version is
//   digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}
// apk compares even strings it would not validate (its own test vectors rely
// on it: "1.0 < 1.0bc"), so compare() does too, as long as the string starts
// with a digit. Without one apk calls any two such strings equal ("a" ==
// "b"), which is no order at all: those get the refused-version policy.
#include <cstdint>

#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::apk {

namespace {

// The order is meaningful: token_next() checks transitions against it, and
// the tail of compare() ranks the token that follows a common prefix.
enum Token { INITIAL_DIGIT, DIGIT, LETTER, SUFFIX, SUFFIX_NO, COMMIT_HASH, REVISION_NO, END, INVALID };

// NONE is the pivot: suffixes before it are pre-releases.
enum Suffix { SUFFIX_INVALID, ALPHA, BETA, PRE, RC, NONE, CVS, SVN, GIT, HG, P };

Suffix suffix_value(std::string_view s) {
    static constexpr std::pair<std::string_view, Suffix> names[] = {
        {"alpha", ALPHA}, {"beta", BETA}, {"pre", PRE}, {"rc", RC}, {"cvs", CVS},
        {"svn", SVN},     {"git", GIT},   {"hg", HG},   {"p", P}};
    for (auto [name, value] : names)
        if (s == name) return value;
    return SUFFIX_INVALID;
}

struct TokenState {
    Token token = INITIAL_DIGIT;
    Suffix suffix = SUFFIX_INVALID;
    std::string_view value;  // the token's text (digits, letter, suffix, hash)
};

bool is_hex_lower(char c) { return text::is_digit(c) || (c >= 'a' && c <= 'f'); }

// apk_blob_pull_uint() keeps the digits; they are compared as numbers below.
void parse_digits(TokenState& t, std::string_view& rest) {
    size_t n = 0;
    while (n < rest.size() && text::is_digit(rest[n])) ++n;
    t.value = rest.substr(0, n);
    rest.remove_prefix(n);
    if (n == 0) t.token = INVALID;
}

void token_first(TokenState& t, std::string_view& rest) {
    t.token = INITIAL_DIGIT;
    parse_digits(t, rest);
}

void token_next(TokenState& t, std::string_view& rest) {
    if (rest.empty()) {
        t.token = END;
        return;
    }
    char c = rest.front();
    if (text::is_lower(c)) {
        if (t.token > DIGIT) return void(t.token = INVALID);
        t.value = rest.substr(0, 1);
        t.token = LETTER;
        rest.remove_prefix(1);
    } else if (c == '.' || text::is_digit(c)) {
        if (c == '.') {
            if (t.token > DIGIT) return void(t.token = INVALID);
            rest.remove_prefix(1);
        }
        if (t.token == INITIAL_DIGIT || t.token == DIGIT) t.token = DIGIT;
        else if (t.token == SUFFIX) t.token = SUFFIX_NO;
        else return void(t.token = INVALID);
        parse_digits(t, rest);
    } else if (c == '_') {
        if (t.token > SUFFIX_NO) return void(t.token = INVALID);
        rest.remove_prefix(1);
        size_t n = 0;
        while (n < rest.size() && text::is_lower(rest[n])) ++n;
        t.value = rest.substr(0, n);
        rest.remove_prefix(n);
        t.suffix = suffix_value(t.value);
        t.token = t.suffix == SUFFIX_INVALID ? INVALID : SUFFIX;
    } else if (c == '~') {
        if (t.token >= COMMIT_HASH) return void(t.token = INVALID);
        rest.remove_prefix(1);
        size_t n = 0;
        while (n < rest.size() && is_hex_lower(rest[n])) ++n;
        t.value = rest.substr(0, n);
        rest.remove_prefix(n);
        t.token = n == 0 ? INVALID : COMMIT_HASH;
    } else if (c == '-') {
        if (t.token >= REVISION_NO || !rest.starts_with("-r")) return void(t.token = INVALID);
        rest.remove_prefix(2);
        t.token = REVISION_NO;
        parse_digits(t, rest);
    } else {
        t.token = INVALID;
    }
}

int token_cmp(const TokenState& a, const TokenState& b) {
    switch (a.token) {
    case DIGIT:
        // A leading zero after a dot makes the component a string (Gentoo rule).
        if (a.value.front() == '0' || b.value.front() == '0') return text::compare_bytes(a.value, b.value);
        [[fallthrough]];
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
        return text::compare_digits(a.value, b.value);
    case LETTER:
        return text::sign(static_cast<unsigned char>(a.value.front()) - static_cast<unsigned char>(b.value.front()));
    case SUFFIX:
        return text::sign(static_cast<int>(a.suffix) - static_cast<int>(b.suffix));
    default:
        return text::compare_bytes(a.value, b.value);
    }
}

int compare_tokens(std::string_view a, std::string_view b, bool fuzzy) {
    TokenState ta, tb;
    for (token_first(ta, a), token_first(tb, b); ta.token == tb.token && ta.token < END;
         token_next(ta, a), token_next(tb, b)) {
        if (int r = token_cmp(ta, tb)) return r;
    }
    if (ta.token == tb.token) return 0;
    if (tb.token == END && fuzzy) return 0;
    // Same so far: the longer one is newer unless it goes on with a pre-release suffix.
    if (ta.token == SUFFIX && ta.suffix < NONE) return -1;
    if (tb.token == SUFFIX && tb.suffix < NONE) return 1;
    if (ta.token > tb.token) return -1;
    if (tb.token > ta.token) return 1;
    return 0;
}

}  // namespace

bool is_valid(std::string_view version) {
    TokenState t;
    std::string_view rest = version;
    for (token_first(t, rest); t.token < END; token_next(t, rest)) {
    }
    return t.token == END;
}

bool accepts(std::string_view version) { return !version.empty() && text::is_digit(version.front()); }

std::optional<int> compare(std::string_view a, std::string_view b) {
    if (!accepts(a) || !accepts(b)) return std::nullopt;
    return compare_tokens(a, b, false);
}

std::optional<int> compare_fuzzy(std::string_view a, std::string_view b) {
    if (!accepts(a) || !accepts(b)) return std::nullopt;
    return compare_tokens(a, b, true);
}

}  // namespace regscan::versions::apk
