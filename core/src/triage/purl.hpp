// Package URLs (purl-spec) as VEX documents name products, and how leniently
// regscan matches one to a finding's package (docs/triage.md, "VEX").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "scan/model.hpp"

namespace regscan::triage {

struct Purl {
    std::string type;       // lowercased: "deb", "npm", "oci"
    std::string namespace_; // decoded segments joined with '/': "debian", "@babel", "org.apache"
    std::string name;
    std::string version;    // "" when none
    std::map<std::string, std::string> qualifiers;  // keys lowercased
};

// nullopt when `text` is not "pkg:<type>/<name>..." .
std::optional<Purl> parse_purl(std::string_view text);

// True when `purl` names the package of `finding`: the purl type the
// finding's ecosystem has (Debian and Ubuntu: deb, Alpine: apk, AlmaLinux,
// Rocky Linux, Red Hat: rpm, npm, PyPI: pypi, Go: golang, Maven: maven), the
// name (namespace joined where the ecosystem's names hold it: npm scopes, Go
// module paths, Maven group ids; PyPI names normalised), the purl's namespace
// for OS packages equal to the distribution when given, and the version,
// when given, equal to the installed one. A purl of the source package
// (Debian: glibc for libc6) matches too, its version compared to the source
// version. Qualifiers (arch, distro) and subpath are not compared.
bool purl_matches_package(const Purl& purl, const scan::Vulnerability& finding);

// True when the `pkg:oci` purl names the image of `result`: its name equal to
// the last component of the repository, its version (a digest), when given,
// equal to the platform's manifest digest, and the qualifiers
// `repository_url` (host/repository) and `tag`, when given, equal too.
bool purl_matches_image(const Purl& purl, const scan::ImageResult& result);

}  // namespace regscan::triage
