#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "versions/version_compare.hpp"

using regscan::versions::Scheme;
namespace versions = regscan::versions;

namespace {

int sign(int x) { return (x > 0) - (x < 0); }

}  // namespace

TEST_SUITE_BEGIN("versions");

TEST_CASE("versions::scheme_for_ecosystem") {
    CHECK(versions::scheme_for_ecosystem("Debian") == Scheme::Debian);
    CHECK(versions::scheme_for_ecosystem("Debian:12") == Scheme::Debian);
    CHECK(versions::scheme_for_ecosystem("Ubuntu") == Scheme::Debian);
    CHECK(versions::scheme_for_ecosystem("Ubuntu:22.04:LTS") == Scheme::Debian);
    CHECK(versions::scheme_for_ecosystem("Ubuntu:Pro:18.04:LTS") == Scheme::Debian);
    CHECK(versions::scheme_for_ecosystem("AlmaLinux") == Scheme::Rpm);
    CHECK(versions::scheme_for_ecosystem("AlmaLinux:9") == Scheme::Rpm);
    CHECK(versions::scheme_for_ecosystem("Rocky Linux:8") == Scheme::Rpm);
    CHECK(versions::scheme_for_ecosystem("Red Hat:enterprise_linux:9::appstream") == Scheme::Rpm);
    CHECK(versions::scheme_for_ecosystem("openSUSE:Tumbleweed") == Scheme::Rpm);
    CHECK(versions::scheme_for_ecosystem("Alpine") == Scheme::Alpine);
    CHECK(versions::scheme_for_ecosystem("Alpine:v3.18") == Scheme::Alpine);
    CHECK(versions::scheme_for_ecosystem("Wolfi") == Scheme::Alpine);
    CHECK(versions::scheme_for_ecosystem("npm") == Scheme::SemVer);
    CHECK(versions::scheme_for_ecosystem("crates.io") == Scheme::SemVer);
    CHECK(versions::scheme_for_ecosystem("PyPI") == Scheme::Pep440);
    CHECK(versions::scheme_for_ecosystem("pypi") == Scheme::Pep440);
    CHECK(versions::scheme_for_ecosystem("Maven") == Scheme::Maven);
    CHECK(versions::scheme_for_ecosystem("Go") == Scheme::Go);
    CHECK(versions::scheme_for_ecosystem("RubyGems") == Scheme::Generic);
    CHECK(versions::scheme_for_ecosystem("NuGet") == Scheme::Generic);
    CHECK(versions::scheme_for_ecosystem("Packagist") == Scheme::Generic);
    CHECK(versions::scheme_for_ecosystem("SomethingNew:1") == Scheme::Generic);
    CHECK_FALSE(versions::scheme_for_ecosystem("GIT").has_value());
    CHECK_FALSE(versions::scheme_for_ecosystem("").has_value());
}

TEST_CASE("versions::generic order") {
    auto order = [](std::string_view a, std::string_view b) { return sign(versions::compare(Scheme::Generic, a, b)); };
    CHECK(order("1.0", "1") == 0);
    CHECK(order("1.0.0", "v1") == 0);
    CHECK(order("1.0rc1", "1.0") < 0);
    CHECK(order("1.0-beta", "1.0") < 0);
    CHECK(order("1.0", "1.0.1") < 0);
    CHECK(order("1.10", "1.9") > 0);
    CHECK(order("1.2.4.beta", "1.2.4") < 0);
    CHECK(order("2.0.0-BETA", "2.0.0-beta") == 0);
    CHECK(order("1.0.alpha", "1.0.beta") < 0);
    CHECK(order("99999999999999999999999", "99999999999999999999998") > 0);
    CHECK(versions::is_valid(Scheme::Generic, "4.2.1"));
    CHECK_FALSE(versions::is_valid(Scheme::Generic, ""));
    CHECK_FALSE(versions::is_valid(Scheme::Generic, "latest"));
}

TEST_CASE("versions::compare is a total order on anything") {
    // Sorting must not misbehave whatever the scheme is fed.
    const std::vector<std::string> junk = {"", " ", "0", "1.0", "v1.0.0", "1:2.3-4", "~", "^", "-", "..", "a", "Z",
                                           "1.0~rc1", "1.0_p1", "1!2", "\xff\xfe", "1.0\xc3\xa9", "1-r0", "+build",
                                           "1.2.3-alpha+b", "9007199254740993.0.0", std::string("1\0" "2", 3)};
    for (Scheme scheme : {Scheme::Debian, Scheme::Rpm, Scheme::Alpine, Scheme::SemVer, Scheme::Pep440, Scheme::Maven,
                          Scheme::Go, Scheme::Generic}) {
        INFO(versions::scheme_name(scheme));
        for (const auto& a : junk) {
            CHECK(versions::compare(scheme, a, a) == 0);
            for (const auto& b : junk) CHECK(sign(versions::compare(scheme, a, b)) == -sign(versions::compare(scheme, b, a)));
        }
        if (scheme == Scheme::Maven) continue;  // ComparableVersion itself is not transitive
        for (const auto& a : junk)
            for (const auto& b : junk)
                for (const auto& c : junk) {
                    int ab = versions::compare(scheme, a, b), bc = versions::compare(scheme, b, c);
                    if (ab <= 0 && bc <= 0) CHECK(versions::compare(scheme, a, c) <= 0);
                }
    }
}

TEST_SUITE_END();
