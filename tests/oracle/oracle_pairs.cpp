#include "oracle_pairs.hpp"

#include <functional>
#include <set>
#include <utility>

#include "vector_file.hpp"

namespace regscan::oracle {

uint64_t Rng::next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

const char* family_name(Family family) {
    switch (family) {
    case Family::Debian: return "debian";
    case Family::Rpm: return "rpm";
    case Family::SemVer: return "semver";
    case Family::Pep440: return "pep440";
    case Family::Maven: return "maven";
    case Family::Alpine: return "alpine";
    case Family::Go: return "go";
    }
    return "?";
}

namespace {

struct Sources {
    std::vector<std::string> tsv, lists, scalibr;
};

Sources sources_for(Family family) {
    switch (family) {
    case Family::Debian:
        return {{"dpkg.tsv", "dpkg-perl.tsv"}, {"dpkg-invalid.txt"},
                {"debian-versions.txt", "debian-versions-generated.txt"}};
    case Family::Rpm: return {{"rpm.tsv"}, {}, {"redhat-versions.txt"}};
    case Family::SemVer:
    case Family::Go:
        return {{"semver.tsv", "semver-loose.tsv"}, {}, {"semver-versions.txt", "nuget-versions.txt", "pub-versions.txt"}};
    case Family::Pep440:
        return {{"pep440.tsv"}, {"pep440-invalid.txt"}, {"pypi-versions.txt", "pypi-versions-generated.txt"}};
    case Family::Maven: return {{"maven.tsv"}, {}, {"maven-versions.txt", "maven-versions-generated.txt"}};
    case Family::Alpine:
        return {{"apk.tsv", "apk-fuzzy.tsv"}, {"apk-valid.txt", "apk-invalid.txt"},
                {"alpine-versions.txt", "alpine-versions-generated.txt"}};
    }
    return {};
}

// What a family's versions are made of, for mutation and composition.
struct Grammar {
    std::string alphabet;             // characters a mutation inserts or swaps in
    std::vector<std::string> tokens;  // meaningful pieces to splice in
    std::vector<std::string> rare;    // exotic bytes: whitespace, non-ASCII, punctuation
    std::function<std::string(Rng&)> compose;
};

std::string digits(Rng& rng) {
    static const std::vector<std::string> fixed = {"0", "1", "2", "9", "10", "11", "99", "100", "01", "00", "007",
                                                   "2147483647", "2147483648", "9223372036854775807",
                                                   "9223372036854775808", "123456789012345678901234567890"};
    if (rng.percent(25)) return rng.pick(fixed);
    std::string out;
    size_t len = 1 + rng.below(rng.percent(10) ? 12 : 3);
    for (size_t i = 0; i < len; ++i) out += static_cast<char>('0' + rng.below(10));
    return out;
}

std::string letters(Rng& rng, std::string_view from, size_t max_len = 3) {
    std::string out;
    size_t len = 1 + rng.below(max_len);
    for (size_t i = 0; i < len; ++i) out += from[rng.below(from.size())];
    return out;
}

std::string maybe_upper(Rng& rng, std::string s, unsigned p) {
    if (!rng.percent(p)) return s;
    bool all = rng.percent(50);
    for (char& c : s)
        if (c >= 'a' && c <= 'z' && (all || rng.percent(50))) c = static_cast<char>(c - 'a' + 'A');
    return s;
}

// Positions that do not split a UTF-8 sequence.
size_t boundary(Rng& rng, const std::string& s) {
    size_t pos = rng.below(s.size() + 1);
    while (pos > 0 && pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xc0) == 0x80) --pos;
    return pos;
}

std::string splice_rare(Rng& rng, std::string s, const Grammar& g) {
    if (g.rare.empty()) return s;
    size_t pos = rng.percent(50) ? (rng.percent(50) ? 0 : s.size()) : boundary(rng, s);
    return s.insert(pos, rng.pick(g.rare));
}

std::string mutate(Rng& rng, std::string s, const Grammar& g) {
    size_t times = 1 + rng.below(3);
    for (size_t t = 0; t < times; ++t) {
        size_t pos = boundary(rng, s);
        switch (rng.below(11)) {
        case 0:  // swap one character
            if (pos < s.size() && static_cast<unsigned char>(s[pos]) < 0x80) s[pos] = g.alphabet[rng.below(g.alphabet.size())];
            break;
        case 1: s.insert(pos, 1, g.alphabet[rng.below(g.alphabet.size())]); break;
        case 2:
            if (pos < s.size() && static_cast<unsigned char>(s[pos]) < 0x80) s.erase(pos, 1);
            break;
        case 3: s.insert(pos, rng.pick(g.tokens)); break;
        case 4: s += rng.pick(g.tokens); break;
        case 5: {  // rewrite a run of digits
            size_t start = s.find_first_of("0123456789", pos);
            if (start == std::string::npos) break;
            size_t end = s.find_first_not_of("0123456789", start);
            if (end == std::string::npos) end = s.size();
            std::string run = s.substr(start, end - start);
            switch (rng.below(4)) {
            case 0: run = "0" + run; break;
            case 1: run.erase(0, run.find_first_not_of('0') == std::string::npos ? run.size() - 1 : run.find_first_not_of('0')); break;
            case 2: run.back() = static_cast<char>(run.back() == '9' ? '0' : run.back() + 1); break;
            default: run = digits(rng); break;
            }
            s.replace(start, end - start, run);
            break;
        }
        case 6:
            for (size_t i = pos; i < s.size(); ++i) {
                char& c = s[i];
                if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
                else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                else continue;
                break;
            }
            break;
        case 7: s.erase(pos); break;
        case 8: {  // duplicate a short ASCII piece
            std::string piece = s.substr(pos, 1 + rng.below(4));
            bool ascii = true;
            for (unsigned char c : piece) ascii = ascii && c < 0x80;
            if (ascii) s.insert(pos, piece);
            break;
        }
        case 9: s = splice_rare(rng, s, g); break;
        default: s.insert(pos, rng.pick(g.tokens)); break;
        }
    }
    return s;
}

// Debian: [epoch:]upstream[-revision], plus what dpkg warns about.
std::string compose_debian(Rng& rng) {
    static const std::vector<std::string> epochs = {"0", "1", "2", "10", "00", "01", "2147483647", "2147483648",
                                                    "99999999999999999999", "-1", "-0", "+1", "", "a", " 1"};
    std::string s;
    if (rng.percent(15)) s += rng.pick(epochs) + ":";
    auto piece = [&](bool upstream) -> std::string {
        switch (rng.below(upstream ? 9 : 7)) {
        case 0:
        case 1: return digits(rng);
        case 2: return letters(rng, "abcmxyzAZ");
        case 3: return ".";
        case 4: return "+";
        case 5: return rng.percent(30) ? "~~" : "~";
        case 6: return digits(rng) + letters(rng, "abz");
        case 7: return ":";
        default: return "-";
        }
    };
    s += rng.percent(90) ? digits(rng) : letters(rng, "abz");
    for (size_t n = rng.below(5); n > 0; --n) s += piece(true);
    if (rng.percent(55)) {
        s += "-";
        for (size_t n = 1 + rng.below(4); n > 0; --n) s += piece(false);
    }
    return s;
}

// RPM: [epoch:]version[-release] with ~ and ^ and any separators.
std::string compose_rpm(Rng& rng) {
    std::string s;
    if (rng.percent(15)) s += (rng.percent(80) ? digits(rng) : std::string()) + ":";
    auto piece = [&]() -> std::string {
        switch (rng.below(10)) {
        case 0:
        case 1: return digits(rng);
        case 2: return letters(rng, "abcpzAZ");
        case 3: return ".";
        case 4: return "_";
        case 5: return "+";
        case 6: return "~";
        case 7: return "^";
        case 8: return digits(rng) + letters(rng, "ap");
        default: return rng.percent(50) ? "el" + digits(rng) : "git" + digits(rng);
        }
    };
    for (size_t n = 1 + rng.below(6); n > 0; --n) s += piece();
    if (rng.percent(50)) {
        s += "-";
        for (size_t n = rng.below(4); n > 0; --n) s += piece();
    }
    return s;
}

std::string semver_number(Rng& rng) {
    static const std::vector<std::string> fixed = {"0", "1", "2", "10", "99", "01", "00", "9007199254740991",
                                                   "9007199254740992", "12345678901234567890"};
    return rng.percent(12) ? rng.pick(fixed) : std::to_string(rng.below(rng.percent(80) ? 12 : 1000));
}

std::string semver_identifier(Rng& rng, bool build) {
    static const std::vector<std::string> fixed = {
        "alpha", "beta", "rc", "0", "1", "2", "10", "01", "00", "x-y", "-", "--", "a1", "1a", "ALPHA", "Alpha",
        "9007199254740990", "9007199254740991", "9007199254740992", "9007199254740993", "18014398509481985",
        "0009", "build", "exp", "sha", "20130313144700"};
    if (rng.percent(45)) return rng.pick(fixed);
    return build ? letters(rng, "abAZ09-") : (rng.percent(50) ? std::to_string(rng.below(30)) : letters(rng, "abrcAZ-", 4));
}

// SemVer with what node-semver trims, and loose-mode spellings.
std::string compose_semver(Rng& rng, bool go) {
    static const std::vector<std::string> prefixes = {"v", "=", " ", "v ", "= v", "\t", "\xc2\xa0", "\xef\xbb\xbf", "V"};
    std::string s;
    if (go ? rng.percent(70) : rng.percent(10)) s += go || rng.percent(50) ? "v" : rng.pick(prefixes);
    s += semver_number(rng);
    size_t parts = go ? 1 + rng.below(3) : (rng.percent(95) ? 3 : 2 + rng.below(3));
    for (size_t i = 1; i < parts; ++i) s += "." + semver_number(rng);
    if (rng.percent(45)) {
        if (go && rng.percent(30)) {
            s += "-0." + std::to_string(20190000000000ULL + rng.below(100000000)) + "-" + letters(rng, "0123456789abcdef", 12);
        } else {
            s += rng.percent(92) ? "-" : "";
            for (size_t i = 0, n = 1 + rng.below(4); i < n; ++i) s += (i ? "." : "") + semver_identifier(rng, false);
        }
    }
    if (rng.percent(20)) {
        s += "+";
        for (size_t i = 0, n = 1 + rng.below(3); i < n; ++i) s += (i ? "." : "") + semver_identifier(rng, true);
        if (go && rng.percent(30)) s = s.substr(0, s.find('+')) + "+incompatible";
    }
    if (!go && rng.percent(4)) s += rng.percent(50) ? " " : "\xe2\x80\xa8";
    return s;
}

// PEP 440 in all the spellings packaging normalises.
std::string compose_pep440(Rng& rng) {
    static const std::vector<std::string> seps = {"", "", "", ".", "-", "_"};
    static const std::vector<std::string> pre = {"a", "b", "c", "rc", "alpha", "beta", "pre", "preview"};
    static const std::vector<std::string> post = {"post", "rev", "r"};
    static const std::vector<std::string> spaces = {" ", "\t", "\n", "\xe2\x80\xaf", "\xe2\x80\xa9", "\xc2\x85", "\x1c", "\xe3\x80\x80"};
    std::string s;
    if (rng.percent(4)) s += rng.pick(spaces);
    if (rng.percent(8)) s += rng.percent(70) ? "v" : "V";
    if (rng.percent(10)) s += digits(rng) + "!";
    s += digits(rng);
    for (size_t n = rng.below(4); n > 0; --n) s += "." + digits(rng);
    if (rng.percent(35)) {
        s += rng.pick(seps) + maybe_upper(rng, rng.pick(pre), 15) + rng.pick(seps);
        if (rng.percent(75)) s += digits(rng);
    }
    if (rng.percent(25)) {
        if (rng.percent(25)) {
            s += "-" + digits(rng);
        } else {
            s += rng.pick(seps) + maybe_upper(rng, rng.pick(post), 15) + rng.pick(seps);
            if (rng.percent(70)) s += digits(rng);
        }
    }
    if (rng.percent(25)) {
        s += rng.pick(seps) + maybe_upper(rng, "dev", 15) + rng.pick(seps);
        if (rng.percent(70)) s += digits(rng);
    }
    if (rng.percent(15)) {
        s += "+";
        for (size_t n = 1 + rng.below(3); n > 0; --n)
            s += (s.back() == '+' ? "" : rng.pick(std::vector<std::string>{".", "-", "_"})) +
                 (rng.percent(50) ? digits(rng) : maybe_upper(rng, letters(rng, "abcdefxyz0123456789", 5), 20));
    }
    if (rng.percent(4)) s += rng.pick(spaces);
    return s;
}

// Maven: numbers and qualifiers with '.', '-' or nothing between them.
std::string compose_maven(Rng& rng) {
    static const std::vector<std::string> qualifiers = {
        "alpha", "beta", "milestone", "rc", "cr", "snapshot", "ga", "final", "release", "sp", "a", "b", "m",
        "c", "foo", "redhat", "jre", "android", "SNAPSHOT", "RELEASE", "Final", "GA", "RC", "M", "SP", "x"};
    static const std::vector<std::string> seps = {".", ".", "-", "-", ""};
    std::string s;
    size_t n = 1 + rng.below(6);
    bool digit_last = false;
    for (size_t i = 0; i < n; ++i) {
        bool number = i == 0 ? rng.percent(90) : rng.percent(55);
        std::string sep = i == 0 ? "" : rng.pick(seps);
        if (sep.empty() && i > 0 && number == digit_last) sep = ".";  // keep the tokens apart
        s += sep + (number ? digits(rng) : rng.pick(qualifiers));
        digit_last = number;
    }
    return s;
}

// apk: digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}
std::string compose_alpine(Rng& rng) {
    static const std::vector<std::string> suffixes = {"alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"};
    std::string s = digits(rng);
    for (size_t n = rng.below(4); n > 0; --n) s += "." + digits(rng);
    if (rng.percent(15)) s += letters(rng, "abcz", 1);
    for (size_t n = rng.percent(35) ? 1 + rng.below(2) : 0; n > 0; --n) {
        s += "_" + rng.pick(suffixes);
        if (rng.percent(70)) s += digits(rng);
    }
    if (rng.percent(8)) s += "~" + letters(rng, "0123456789abcdef", 8);
    if (rng.percent(50)) s += "-r" + std::to_string(rng.below(12));
    return s;
}

Grammar grammar_for(Family family) {
    switch (family) {
    case Family::Debian:
        return {"0123456789abczAZ.+-~:", {"~", "~rc1", "+b1", "-1", ".0", "+dfsg", "~deb12u1", "1:", "-0", "a", "+", "~~"},
                {" ", "\t", "!", "_", "/", "\x7f", "\x80", "\xc3\xa9", "\xff", "\x01"}, compose_debian};
    case Family::Rpm:
        return {"0123456789abpzAZ._+~^-:", {"~", "^", "~rc1", "^git1", ".el9", "-1", "1:", ":", "_", "..", "p1", "-"},
                {" ", "!", "@", "\x80", "\xce\xb1", "\xff", "\x7f"}, compose_rpm};
    case Family::SemVer:
        return {"0123456789.-+abAZv", {"-alpha", "-0", "-rc.1", "+build", "-01", ".0", "-", "+", "v", "=", "-x.7.z.92"},
                {" ", "\t", "\xc2\xa0", "\xe2\x80\xa8", "\xef\xbb\xbf", "\xc3\xa9", "_"},
                [](Rng& rng) { return compose_semver(rng, false); }};
    case Family::Go:
        return {"0123456789.-+abv", {"-pre", "+incompatible", "-0.20191109021931-daa7c04131f5", ".0", "v"}, {}, 
                [](Rng& rng) { return compose_semver(rng, true); }};
    case Family::Pep440:
        return {"0123456789.-_+!abcdeilnoprstvABCDRV",
                {"a", "b", "rc", "c", "alpha", "beta", "pre", "preview", ".post", "post", "-", "rev", "r", ".dev", "dev",
                 "+local", "1!", "v", ".", "_", "+", "0"},
                {" ", "\t", "\xe2\x80\xaf", "\xe2\x80\xa9", "\xc2\x85", "\xc3\xa9", "\xd9\xa3", "&", "%"},
                compose_pep440};
    case Family::Maven:
        // No non-ASCII digits: Maven 3.8 reads them as digits, the port as
        // letters (as current Maven does); see maven_version.cpp.
        return {"0123456789.-abcfgilmnoprstAZ_",
                {"-SNAPSHOT", ".RELEASE", "-alpha-1", "a1", "-sp", ".final", "-ga", "cr", "-1", ".0", "-", ".", "00", "-redhat-00001"},
                {"\xc3\xa9", "\xc3\x89", "\xc3\xbc", "\xc3\x9c", "\xce\xb6", "\xd0\x96", "\xd0\xb6", "\xe2\x84\xaa",
                 "\xc4\xb0", "_", "+", " ", "\xf0\x9d\x9f\xa4"},
                compose_maven};
    case Family::Alpine:
        return {"0123456789.abz_-r~", {"_alpha", "_pre1", "_p2", "-r1", "~abc", "_git2024", ".0", "a"}, {}, compose_alpine};
    }
    return {};
}

}  // namespace

std::vector<std::string> real_versions(Family family, const std::string& shared_dir) {
    const std::string base = shared_dir + "/reference/versions/";
    Sources src = sources_for(family);
    std::vector<std::string> out;
    std::set<std::string> seen;
    auto add = [&](const std::string& v) {
        if (seen.insert(v).second) out.push_back(v);
    };
    for (const auto& f : src.tsv)
        for (const auto& c : test_vectors::read_tsv(base + f)) add(c.a), add(c.b);
    for (const auto& f : src.lists)
        for (const auto& v : test_vectors::read_list(base + f)) add(v);
    for (const auto& f : src.scalibr)
        for (const auto& c : test_vectors::read_scalibr(base + "osv-scalibr/" + f)) add(c.a), add(c.b);
    return out;
}

std::vector<Pair> make_pairs(Family family, const std::string& shared_dir, size_t count, uint64_t seed) {
    Rng rng(seed ^ (static_cast<uint64_t>(family) + 1) * 0x2545f4914f6cdd1dULL);
    const std::vector<std::string> real = real_versions(family, shared_dir);
    const Grammar g = grammar_for(family);
    std::vector<Pair> pairs;
    std::set<std::pair<std::string, std::string>> seen;
    auto add = [&](std::string a, std::string b) {
        if (rng.percent(50)) std::swap(a, b);
        if (seen.emplace(a, b).second) pairs.push_back({std::move(a), std::move(b)});
    };
    // The curated vectors first: every line is a question worth asking.
    for (size_t i = 0; i + 1 < real.size() && pairs.size() < count / 10; ++i) add(real[i], real[i + 1]);
    size_t attempts = 0;
    while (pairs.size() < count && ++attempts < count * 20) {
        // SemVer's real strings are few and mostly strict-invalid once
        // mutated, so its mix leans on composed versions.
        size_t kind = family == Family::SemVer && rng.percent(60) ? 62 + rng.below(33) : rng.below(100);
        if (kind < 20) {
            add(rng.pick(real), rng.pick(real));
        } else if (kind < 50) {
            const std::string& x = rng.pick(real);
            add(x, mutate(rng, x, g));
        } else if (kind < 62) {
            const std::string& x = rng.pick(real);
            add(mutate(rng, x, g), mutate(rng, x, g));
        } else if (kind < 80) {
            std::string x = g.compose(rng);
            add(x, rng.percent(60) ? mutate(rng, x, g) : g.compose(rng));
        } else if (kind < 95) {
            // A shared prefix sends the comparison deep into both strings.
            std::string prefix = g.compose(rng);
            std::string a = prefix, b = prefix;
            a += rng.pick(g.tokens);
            if (rng.percent(70)) b += rng.pick(g.tokens);
            add(a, b);
        } else {
            std::string x = rng.percent(50) ? rng.pick(real) : g.compose(rng);
            add(x, rng.percent(50) ? x : splice_rare(rng, x, g));
        }
    }
    return pairs;
}

}  // namespace regscan::oracle
