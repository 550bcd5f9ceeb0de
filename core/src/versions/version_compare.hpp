// Version ordering per OSV ecosystem, each scheme a port of the implementation
// the ecosystem itself uses, so that "affected" means what the distribution or
// registry means by it:
//   Debian  dpkg's parseversion()/verrevcmp() (Debian, Ubuntu)
//   Rpm     rpm's rpmverParse()/rpmverCmp()/rpmvercmp() incl. ~ and ^
//   Alpine  apk-tools 3 version.c (Alpine, Wolfi, Chainguard)
//   SemVer  node-semver 7 compare() in strict mode (npm, crates.io, ...)
//   Pep440  pypa/packaging Version (PyPI)
//   Maven   maven-artifact ComparableVersion as shipped with Maven 3.8
//   Go      golang.org/x/mod/semver, with or without the leading "v"
//   Generic natural ordering for ecosystems without a port
// See core/src/versions/README.md for deliberate deviations.
//
// Invalid versions never throw. Where the reference implementation itself
// orders any string (dpkg with a warning, rpm, apk, Maven), compare() does
// what it does. Where it refuses one (node-semver, packaging, x/mod, dpkg's
// hard errors, the empty string), a refused version sorts before every
// accepted one and two refused versions are ordered by the Generic scheme,
// like packaging's old LegacyVersion. compare() is antisymmetric and never
// fails, but it is only as transitive as the reference: Maven's own
// ComparableVersion is not ("11" > "11.a11" > "11.b;.b;" > "11", found by
// tests/fuzz and confirmed against the Maven oracle), so neither is the
// Maven scheme here. The caller asks is_valid() before trusting a match.
#pragma once

#include <optional>
#include <string_view>

namespace regscan::versions {

enum class Scheme { Debian, Rpm, Alpine, SemVer, Pep440, Maven, Go, Generic };

// OSV ecosystem ("Debian:12", "Ubuntu:22.04:LTS", "Rocky Linux:9", "npm",
// ...) to its ordering; the part before the first ':' decides, case
// insensitively. Unknown ecosystems get Generic; nullopt for "" and "GIT",
// whose ranges are commits with no version order.
std::optional<Scheme> scheme_for_ecosystem(std::string_view osv_ecosystem);

// Negative, zero or positive as a is before, equal to or after b.
int compare(Scheme scheme, std::string_view a, std::string_view b);

// True when the reference implementation accepts the version without error
// or warning (dpkg's parseversion() == 0, apk_version_validate(), ...).
bool is_valid(Scheme scheme, std::string_view version);

// Stable name for messages and test output: "debian", "rpm", "alpine", ...
std::string_view scheme_name(Scheme scheme);

}  // namespace regscan::versions
