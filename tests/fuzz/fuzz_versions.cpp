// Version parsing and ordering for every scheme (versions/version_compare.hpp
// and the per-scheme extras of versions/schemes.hpp). Besides crashes it
// checks what the matcher relies on: compare() is reflexive and
// antisymmetric whatever the strings, and transitive over valid versions,
// except Maven: its ComparableVersion, which compare() follows, is not
// ("11" > "11.a11" > "11.b;.b;" > "11"; "\x041-1" < ".a2+1.1.1.abc" < "" < "\x041-1").
// Input: byte 0 chooses the scheme, the rest is up to three versions
// separated by '\n'.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "versions/schemes.hpp"
#include "versions/version_compare.hpp"

using namespace regscan::versions;

namespace {

int sign(int v) { return (v > 0) - (v < 0); }

[[noreturn]] void broken(const char* what, Scheme scheme, std::string_view a, std::string_view b,
                         std::string_view c = {}) {
    std::fprintf(stderr, "%s (%s): a=\"%.*s\" b=\"%.*s\" c=\"%.*s\"\n", what, std::string(scheme_name(scheme)).c_str(),
                 static_cast<int>(a.size()), a.data(), static_cast<int>(b.size()), b.data(),
                 static_cast<int>(c.size()), c.data());
    std::abort();
}

std::string_view take_line(std::string_view& rest) {
    auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return line;
}

void scheme_extras(Scheme scheme, std::string_view a, std::string_view b) {
    switch (scheme) {
        case Scheme::Debian: (void)debian::accepts(a); break;
        case Scheme::Rpm:
            if (sign(rpm::compare_field(a, b)) != -sign(rpm::compare_field(b, a)))
                broken("rpm::compare_field is not antisymmetric", scheme, a, b);
            break;
        case Scheme::Alpine: (void)apk::compare_fuzzy(a, b); break;
        case Scheme::SemVer:
            if (auto loose = semver::compare(a, b, true); loose && semver::compare(b, a, true) != -*loose)
                broken("semver loose compare is not antisymmetric", scheme, a, b);
            break;
        case Scheme::Pep440:
            if (auto normal = pep440::normalize(a)) {
                if (pep440::normalize(*normal) != normal) broken("pep440::normalize is not idempotent", scheme, a, *normal);
                if (compare(scheme, a, *normal) != 0) broken("pep440 normal form orders apart", scheme, a, *normal);
            }
            break;
        case Scheme::Maven: (void)maven::canonical(a); break;
        default: break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static constexpr Scheme schemes[] = {Scheme::Debian, Scheme::Rpm,   Scheme::Alpine, Scheme::SemVer,
                                         Scheme::Pep440, Scheme::Maven, Scheme::Go,     Scheme::Generic};
    const Scheme scheme = schemes[data[0] % std::size(schemes)];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string_view a = take_line(rest), b = take_line(rest), c = take_line(rest);

    (void)scheme_for_ecosystem(a);
    for (auto v : {a, b, c}) {
        (void)is_valid(scheme, v);
        if (compare(scheme, v, v) != 0) broken("compare is not reflexive", scheme, v, v);
    }
    int ab = sign(compare(scheme, a, b)), bc = sign(compare(scheme, b, c)), ac = sign(compare(scheme, a, c));
    if (ab != -sign(compare(scheme, b, a))) broken("compare is not antisymmetric", scheme, a, b);
    if (scheme != Scheme::Maven && is_valid(scheme, a) && is_valid(scheme, b) && is_valid(scheme, c)) {
        if (ab <= 0 && bc <= 0 && ac > 0) broken("compare is not transitive", scheme, a, b, c);
        if (ab >= 0 && bc >= 0 && ac < 0) broken("compare is not transitive", scheme, a, b, c);
    }
    scheme_extras(scheme, a, b);
    return 0;
}
