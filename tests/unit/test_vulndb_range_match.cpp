#include <doctest/doctest.h>

#include "vulndb/range_match.hpp"

using namespace regscan::vulndb;

TEST_SUITE_BEGIN("vulndb");

namespace {

OsvRange range(const char* type, std::vector<std::pair<EventKind, const char*>> events) {
    OsvRange r;
    r.type = type;
    for (auto& [kind, version] : events) r.events.push_back({kind, version});
    return r;
}

OsvAffected entry(const char* ecosystem, std::vector<OsvRange> ranges, std::vector<std::string> versions = {}) {
    OsvAffected a;
    a.ecosystem = ecosystem;
    a.name = "pkg";
    a.ranges = std::move(ranges);
    a.versions = std::move(versions);
    return a;
}

constexpr auto I = EventKind::introduced;
constexpr auto F = EventKind::fixed;
constexpr auto L = EventKind::last_affected;
constexpr auto M = EventKind::limit;

std::string verdict(const OsvAffected& a, const char* version) {
    auto v = evaluate_affected(a, version);
    return v.affected ? "affected fixed=" + v.fixed_version : "not affected";
}

}  // namespace

// The schema's own examples ("Examples" section of the OSV spec).
TEST_CASE("vulndb::evaluate_affected follows the spec's fixed and multiple-range examples") {
    auto fixed = entry("npm", {range("SEMVER", {{I, "0"}, {F, "1.0.2"}})});
    CHECK(verdict(fixed, "0.0.1") == "affected fixed=1.0.2");
    CHECK(verdict(fixed, "1.0.1") == "affected fixed=1.0.2");
    CHECK(verdict(fixed, "1.0.2") == "not affected");
    CHECK(verdict(fixed, "1.0.2-rc.1") == "affected fixed=1.0.2");  // a prerelease sorts below its release

    auto two = entry("npm", {range("SEMVER", {{I, "1.0.0"}, {F, "1.0.2"}, {I, "3.0.0"}, {F, "3.2.5"}})});
    CHECK(verdict(two, "0.9.0") == "not affected");
    CHECK(verdict(two, "1.0.0") == "affected fixed=1.0.2");
    CHECK(verdict(two, "2.0.0") == "not affected");
    CHECK(verdict(two, "3.1.0") == "affected fixed=3.2.5");
    CHECK(verdict(two, "3.2.5") == "not affected");
}

TEST_CASE("vulndb::evaluate_affected treats last_affected as inclusive and names no fix") {
    auto a = entry("Maven", {range("ECOSYSTEM", {{I, "0"}, {L, "2.1.214"}})});
    CHECK(verdict(a, "2.1.214") == "affected fixed=");
    CHECK(verdict(a, "2.1.210") == "affected fixed=");
    CHECK(verdict(a, "2.2.220") == "not affected");
}

TEST_CASE("vulndb::evaluate_affected honours limit events") {
    auto limited = entry("PyPI", {range("ECOSYSTEM", {{I, "1.0"}, {M, "2.0"}})});
    CHECK(verdict(limited, "0.9") == "not affected");
    CHECK(verdict(limited, "1.5") == "affected fixed=");
    CHECK(verdict(limited, "2.0") == "not affected");
    auto infinite = entry("PyPI", {range("ECOSYSTEM", {{I, "1.0"}, {M, "*"}})});
    CHECK(verdict(infinite, "99.0") == "affected fixed=");
}

TEST_CASE("vulndb::evaluate_affected sorts events before walking them") {
    auto shuffled = entry("PyPI", {range("ECOSYSTEM", {{F, "1.3.2"}, {I, "1.3.0"}, {F, "1.2.5"}, {I, "0"}})});
    CHECK(verdict(shuffled, "1.2.0") == "affected fixed=1.2.5");
    CHECK(verdict(shuffled, "1.2.7") == "not affected");
    CHECK(verdict(shuffled, "1.3.1") == "affected fixed=1.3.2");
    CHECK(verdict(shuffled, "1.3.2") == "not affected");
}

TEST_CASE("vulndb::evaluate_affected compares in the ecosystem's own order") {
    // dpkg: '~' sorts before anything, so 10.0.0~dfsg-11+deb12u2 < +deb12u3.
    auto debian = entry("Debian:12", {range("ECOSYSTEM", {{I, "0"}, {F, "10.0.0~dfsg-11+deb12u3"}})});
    CHECK(verdict(debian, "10.0.0~dfsg-11+deb12u2") == "affected fixed=10.0.0~dfsg-11+deb12u3");
    CHECK(verdict(debian, "10.0.0~dfsg-11+deb12u3") == "not affected");
    CHECK(verdict(debian, "1:9.0") == "not affected");  // an epoch outranks every upstream version
    // rpm: release 1.el9_2.1 is newer than 1.el9.
    auto alma = entry("AlmaLinux:9", {range("ECOSYSTEM", {{I, "0"}, {F, "3.0.7-16.el9_2"}})});
    CHECK(verdict(alma, "3.0.7-6.el9_2") == "affected fixed=3.0.7-16.el9_2");
    CHECK(verdict(alma, "3.0.7-16.el9_2") == "not affected");
    // PEP 440: 2.0.0rc1 is a prerelease of 2.0.0; 1.10 > 1.9.
    auto pypi = entry("PyPI", {range("ECOSYSTEM", {{I, "1.9"}, {F, "2.0.0"}})});
    CHECK(verdict(pypi, "1.10") == "affected fixed=2.0.0");
    CHECK(verdict(pypi, "2.0.0rc1") == "affected fixed=2.0.0");
    CHECK(verdict(pypi, "2.0") == "not affected");
}

TEST_CASE("vulndb::evaluate_affected uses the versions list, and GIT ranges never") {
    // pypa records: a GIT range plus the enumerated versions it expands to.
    auto git = entry("PyPI", {range("GIT", {{I, "0"}, {F, "a71af9c144f9579f6dbe945341c1df37aaf09c0d"}})},
                     {"0.8.4", "0.9"});
    CHECK(verdict(git, "0.9") == "affected fixed=");
    CHECK(verdict(git, "0.9.0") == "affected fixed=");  // equal under PEP 440
    CHECK(verdict(git, "0.8.5") == "not affected");
    // A listed version is affected even outside the ranges.
    auto both = entry("PyPI", {range("ECOSYSTEM", {{I, "1.0"}, {F, "1.1"}})}, {"0.5"});
    CHECK(verdict(both, "0.5") == "affected fixed=1.1");
}

TEST_CASE("vulndb::evaluate_affected skips ranges the installed version cannot be ordered in") {
    auto pypi = entry("PyPI", {range("ECOSYSTEM", {{I, "0"}, {F, "2.0"}})});
    CHECK(verdict(pypi, "not a version") == "not affected");
    auto listed = entry("PyPI", {range("ECOSYSTEM", {{I, "0"}, {F, "2.0"}})}, {"dev-build"});
    CHECK(verdict(listed, "dev-build") == "affected fixed=");
}

TEST_CASE("vulndb::evaluate_affected reads Go versions with or without v and go prefixes") {
    auto go = entry("Go", {range("SEMVER", {{I, "0"}, {F, "1.6.0"}})});
    CHECK(verdict(go, "v1.5.0") == "affected fixed=1.6.0");
    CHECK(verdict(go, "1.5.0") == "affected fixed=1.6.0");
    CHECK(verdict(go, "v1.6.0") == "not affected");
    auto stdlib = entry("Go", {range("SEMVER", {{I, "1.21.0-0"}, {F, "1.21.5"}})});
    CHECK(verdict(stdlib, "go1.21.3") == "affected fixed=1.21.5");
    CHECK(verdict(stdlib, "go1.21.5") == "not affected");
}

TEST_CASE("vulndb::evaluate_affected names the lowest fix above the version across ranges") {
    auto a = entry("PyPI", {range("ECOSYSTEM", {{I, "0"}, {F, "3.0"}}), range("ECOSYSTEM", {{I, "0"}, {F, "2.5"}})});
    CHECK(verdict(a, "2.0") == "affected fixed=2.5");
}

TEST_SUITE_END();
