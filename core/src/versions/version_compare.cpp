#include "versions/version_compare.hpp"

#include "versions/schemes.hpp"
#include "versions/text.hpp"

namespace regscan::versions {

namespace {

struct EcosystemScheme {
    std::string_view name;
    Scheme scheme;
};

// OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field)
// whose ordering is one of the ported schemes.
constexpr EcosystemScheme known_ecosystems[] = {
    {"Debian", Scheme::Debian},
    {"Ubuntu", Scheme::Debian},
    {"Red Hat", Scheme::Rpm},
    {"AlmaLinux", Scheme::Rpm},
    {"Rocky Linux", Scheme::Rpm},
    {"openEuler", Scheme::Rpm},
    {"SUSE", Scheme::Rpm},
    {"openSUSE", Scheme::Rpm},
    {"Mageia", Scheme::Rpm},
    {"Photon OS", Scheme::Rpm},
    {"Azure Linux", Scheme::Rpm},
    {"Mariner", Scheme::Rpm},
    {"Alpine", Scheme::Alpine},
    {"Wolfi", Scheme::Alpine},
    {"Chainguard", Scheme::Alpine},
    {"Alpaquita", Scheme::Alpine},
    {"BellSoft Hardened Containers", Scheme::Alpine},
    {"MinimOS", Scheme::Alpine},
    {"npm", Scheme::SemVer},
    {"crates.io", Scheme::SemVer},
    {"Hex", Scheme::SemVer},
    {"Bitnami", Scheme::SemVer},
    {"SwiftURL", Scheme::SemVer},
    {"PyPI", Scheme::Pep440},
    {"Maven", Scheme::Maven},
    {"Go", Scheme::Go},
};

// A refused version sorts first; two refused ones by the Generic order.
int compare_refused(bool a_accepted, bool b_accepted, std::string_view a, std::string_view b) {
    if (a_accepted != b_accepted) return a_accepted ? 1 : -1;
    return generic::compare(a, b);
}

}  // namespace

std::optional<Scheme> scheme_for_ecosystem(std::string_view osv_ecosystem) {
    std::string_view base = osv_ecosystem.substr(0, osv_ecosystem.find(':'));
    if (base.empty() || text::iequals_ascii(base, "GIT")) return std::nullopt;
    for (const auto& known : known_ecosystems)
        if (text::iequals_ascii(base, known.name)) return known.scheme;
    return Scheme::Generic;
}

int compare(Scheme scheme, std::string_view a, std::string_view b) {
    switch (scheme) {
    case Scheme::Debian:
        if (auto r = debian::compare(a, b)) return *r;
        return compare_refused(debian::accepts(a), debian::accepts(b), a, b);
    case Scheme::Rpm:
        if (auto r = rpm::compare(a, b)) return *r;
        return compare_refused(rpm::accepts(a), rpm::accepts(b), a, b);
    case Scheme::Alpine:
        if (auto r = apk::compare(a, b)) return *r;
        return compare_refused(apk::accepts(a), apk::accepts(b), a, b);
    case Scheme::SemVer:
        if (auto r = semver::compare(a, b)) return *r;
        return compare_refused(semver::is_valid(a), semver::is_valid(b), a, b);
    case Scheme::Pep440:
        if (auto r = pep440::compare(a, b)) return *r;
        return compare_refused(pep440::is_valid(a), pep440::is_valid(b), a, b);
    case Scheme::Maven:
        if (auto r = maven::compare(a, b)) return *r;
        return compare_refused(maven::accepts(a), maven::accepts(b), a, b);
    case Scheme::Go:
        if (auto r = go::compare(a, b)) return *r;
        return compare_refused(go::is_valid(a), go::is_valid(b), a, b);
    case Scheme::Generic:
        return generic::compare(a, b);
    }
    return generic::compare(a, b);
}

bool is_valid(Scheme scheme, std::string_view version) {
    switch (scheme) {
    case Scheme::Debian: return debian::is_valid(version);
    case Scheme::Rpm: return rpm::is_valid(version);
    case Scheme::Alpine: return apk::is_valid(version);
    case Scheme::SemVer: return semver::is_valid(version);
    case Scheme::Pep440: return pep440::is_valid(version);
    case Scheme::Maven: return maven::is_valid(version);
    case Scheme::Go: return go::is_valid(version);
    case Scheme::Generic: return generic::is_valid(version);
    }
    return false;
}

std::string_view scheme_name(Scheme scheme) {
    switch (scheme) {
    case Scheme::Debian: return "debian";
    case Scheme::Rpm: return "rpm";
    case Scheme::Alpine: return "alpine";
    case Scheme::SemVer: return "semver";
    case Scheme::Pep440: return "pep440";
    case Scheme::Maven: return "maven";
    case Scheme::Go: return "go";
    case Scheme::Generic: return "generic";
    }
    return "unknown";
}

}  // namespace regscan::versions
