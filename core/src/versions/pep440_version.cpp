// PEP 440 as pypa/packaging implements it (packaging.version.Version): its
// VERSION_PATTERN, matched here by a small backtracking matcher that tries
// the alternatives in the regex's own order, and its _cmpkey() order.
// Letters are ASCII only, as in packaging since the fix for "1.0+\u0130".
#include <string>
#include <vector>

#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions::pep440 {

namespace {

struct Parsed {
    std::string_view epoch;  // digits; empty for no epoch (0)
    std::vector<std::string_view> release;
    bool has_pre = false;
    std::string_view pre_letter;  // normalised: "a", "b" or "rc"
    std::string_view pre_number;  // digits; empty means 0
    bool has_post = false;
    std::string_view post_number;
    bool has_dev = false;
    std::string_view dev_number;
    bool has_local = false;
    std::string_view local;  // as written; compared and printed lower-cased
};

// One way a regex group can match: where it ends and what it captured.
struct Option {
    size_t end;
    bool present;
    std::string_view label;
    std::string_view number;
};

bool is_separator(char c) { return c == '-' || c == '_' || c == '.'; }

bool starts_with_ci(std::string_view s, size_t pos, std::string_view word) {
    return pos + word.size() <= s.size() && text::iequals_ascii(s.substr(pos, word.size()), word);
}

size_t digit_run(std::string_view s, size_t pos) {
    size_t n = 0;
    while (pos + n < s.size() && text::is_digit(s[pos + n])) ++n;
    return n;
}

// `[-_.]?` is greedy: consuming the separator is tried first.
std::vector<size_t> optional_separator(std::string_view s, size_t pos) {
    if (pos < s.size() && is_separator(s[pos])) return {pos + 1, pos};
    return {pos};
}

// `[-_.]?(words)[-_.]?([0-9]+)?`, then the group being absent.
void labelled_options(std::string_view s, size_t pos, std::initializer_list<std::string_view> words,
                      std::vector<Option>& out) {
    for (size_t a : optional_separator(s, pos)) {
        for (std::string_view word : words) {
            if (!starts_with_ci(s, a, word)) continue;
            std::string_view label = s.substr(a, word.size());
            for (size_t b : optional_separator(s, a + word.size())) {
                // A shorter digit run is never useful: nothing after starts with a digit.
                if (size_t n = digit_run(s, b)) out.push_back({b + n, true, label, s.substr(b, n)});
                out.push_back({b, true, label, {}});
            }
        }
    }
}

std::vector<Option> pre_options(std::string_view s, size_t pos) {
    std::vector<Option> out;
    labelled_options(s, pos, {"a", "b", "c", "rc", "alpha", "beta", "pre", "preview"}, out);
    out.push_back({pos, false, {}, {}});
    return out;
}

std::vector<Option> post_options(std::string_view s, size_t pos) {
    std::vector<Option> out;
    if (pos < s.size() && s[pos] == '-')  // implicit post release: "1.0-1"
        if (size_t n = digit_run(s, pos + 1)) out.push_back({pos + 1 + n, true, {}, s.substr(pos + 1, n)});
    labelled_options(s, pos, {"post", "rev", "r"}, out);
    out.push_back({pos, false, {}, {}});
    return out;
}

std::vector<Option> dev_options(std::string_view s, size_t pos) {
    std::vector<Option> out;
    labelled_options(s, pos, {"dev"}, out);
    out.push_back({pos, false, {}, {}});
    return out;
}

// `(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?` up to the end of the string.
bool local_matches(std::string_view local) {
    if (local.empty() || is_separator(local.front()) || is_separator(local.back())) return false;
    for (size_t i = 0; i < local.size(); ++i) {
        if (text::is_alnum(local[i])) continue;
        if (!is_separator(local[i]) || is_separator(local[i + 1])) return false;
    }
    return true;
}

std::string_view normalise_pre_letter(std::string_view label) {
    if (text::iequals_ascii(label, "a") || text::iequals_ascii(label, "alpha")) return "a";
    if (text::iequals_ascii(label, "b") || text::iequals_ascii(label, "beta")) return "b";
    return "rc";  // c, rc, pre, preview
}

std::optional<Parsed> parse(std::string_view input) {
    std::string_view s = text::trim_python_space(input);
    Parsed p;
    size_t pos = 0;
    if (pos < s.size() && (s[pos] == 'v' || s[pos] == 'V')) ++pos;
    if (size_t n = digit_run(s, pos); n && pos + n < s.size() && s[pos + n] == '!') {
        p.epoch = s.substr(pos, n);
        pos += n + 1;
    }
    size_t n = digit_run(s, pos);
    if (n == 0) return std::nullopt;
    p.release.push_back(s.substr(pos, n));
    pos += n;
    while (pos < s.size() && s[pos] == '.' && (n = digit_run(s, pos + 1)) != 0) {
        p.release.push_back(s.substr(pos + 1, n));
        pos += n + 1;
    }
    for (const Option& pre : pre_options(s, pos)) {
        for (const Option& post : post_options(s, pre.end)) {
            for (const Option& dev : dev_options(s, post.end)) {
                size_t at = dev.end;
                bool local = at < s.size() && s[at] == '+' && local_matches(s.substr(at + 1));
                if (!local && at != s.size()) continue;
                p.has_pre = pre.present;
                p.pre_letter = pre.present ? normalise_pre_letter(pre.label) : std::string_view();
                p.pre_number = pre.number;
                p.has_post = post.present;
                p.post_number = post.number;
                p.has_dev = dev.present;
                p.dev_number = dev.number;
                p.has_local = local;
                p.local = local ? s.substr(at + 1) : std::string_view();
                return p;
            }
        }
    }
    return std::nullopt;
}

std::vector<std::string_view> local_segments(std::string_view local) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i <= local.size(); ++i) {
        if (i == local.size() || is_separator(local[i])) {
            out.push_back(local.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

int compare_lower(std::string_view a, std::string_view b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        char x = text::to_lower(a[i]), y = text::to_lower(b[i]);
        if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int compare_release(std::vector<std::string_view> a, std::vector<std::string_view> b) {
    // Trailing zeros do not count: 1.0 == 1.0.0.
    auto zero = [](std::string_view d) { return text::compare_digits(d, "0") == 0; };
    while (!a.empty() && zero(a.back())) a.pop_back();
    while (!b.empty() && zero(b.back())) b.pop_back();
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        if (int r = text::compare_digits(a[i], b[i])) return r;
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int compare_local(std::string_view a, std::string_view b) {
    auto sa = local_segments(a), sb = local_segments(b);
    for (size_t i = 0; i < sa.size() && i < sb.size(); ++i) {
        bool na = text::all_digits(sa[i]), nb = text::all_digits(sb[i]);
        if (na != nb) return na ? 1 : -1;  // a number beats a word
        if (int r = na ? text::compare_digits(sa[i], sb[i]) : compare_lower(sa[i], sb[i])) return r;
    }
    return sa.size() == sb.size() ? 0 : (sa.size() < sb.size() ? -1 : 1);
}

int compare_parsed(const Parsed& a, const Parsed& b) {
    if (int r = text::compare_digits(a.epoch, b.epoch)) return r;
    if (int r = compare_release(a.release, b.release)) return r;

    // A dev release of the final version sorts before its pre-releases:
    // 1.0.dev0 < 1.0a0. Ranks: 0 = -inf, 1 = a pre-release, 2 = +inf.
    auto pre_rank = [](const Parsed& p) { return p.has_pre ? 1 : (!p.has_post && p.has_dev ? 0 : 2); };
    if (int r = text::sign(pre_rank(a) - pre_rank(b))) return r;
    if (a.has_pre) {
        if (int r = text::compare_bytes(a.pre_letter, b.pre_letter)) return r;
        if (int r = text::compare_digits(a.pre_number, b.pre_number)) return r;
    }
    if (a.has_post != b.has_post) return a.has_post ? 1 : -1;
    if (int r = text::compare_digits(a.post_number, b.post_number)) return r;
    if (a.has_dev != b.has_dev) return a.has_dev ? -1 : 1;
    if (int r = text::compare_digits(a.dev_number, b.dev_number)) return r;
    if (a.has_local != b.has_local) return a.has_local ? 1 : -1;
    return compare_local(a.local, b.local);
}

std::string strip_zeros(std::string_view digits) {
    size_t i = 0;
    while (i + 1 < digits.size() && digits[i] == '0') ++i;
    return digits.empty() ? std::string("0") : std::string(digits.substr(i));
}

}  // namespace

bool is_valid(std::string_view version) { return parse(version).has_value(); }

std::optional<int> compare(std::string_view a, std::string_view b) {
    auto pa = parse(a), pb = parse(b);
    if (!pa || !pb) return std::nullopt;
    return compare_parsed(*pa, *pb);
}

std::optional<std::string> normalize(std::string_view version) {
    auto p = parse(version);
    if (!p) return std::nullopt;
    std::string out;
    if (text::compare_digits(p->epoch, "0") != 0) out += strip_zeros(p->epoch) + "!";
    for (size_t i = 0; i < p->release.size(); ++i) out += (i ? "." : "") + strip_zeros(p->release[i]);
    if (p->has_pre) out += std::string(p->pre_letter) + strip_zeros(p->pre_number);
    if (p->has_post) out += ".post" + strip_zeros(p->post_number);
    if (p->has_dev) out += ".dev" + strip_zeros(p->dev_number);
    if (p->has_local) {
        out += '+';
        auto segments = local_segments(p->local);
        for (size_t i = 0; i < segments.size(); ++i) {
            if (i) out += '.';
            if (text::all_digits(segments[i])) {
                out += strip_zeros(segments[i]);
            } else {
                for (char c : segments[i]) out += text::to_lower(c);
            }
        }
    }
    return out;
}

}  // namespace regscan::versions::pep440
