// How leniently regscan matches a package URL that a VEX document names to a
// finding's package or image (docs/triage.md, "VEX"); parsing is catalog/purl's.
#pragma once

#include "catalog/purl.hpp"
#include "scan/model.hpp"

namespace regscan::triage {

// True when `purl` names the package of `finding`: the purl type the
// finding's ecosystem has (Debian and Ubuntu: deb, Alpine: apk, AlmaLinux,
// Rocky Linux, Red Hat: rpm, npm, PyPI: pypi, Go: golang, Maven: maven), the
// name (namespace joined where the ecosystem's names hold it: npm scopes, Go
// module paths, Maven group ids; PyPI names normalised), the purl's namespace
// for OS packages equal to the distribution when given, and the version,
// when given, equal to the installed one. A purl of the source package
// (Debian: glibc for libc6) matches too, its version compared to the source
// version. Qualifiers (arch, distro) and subpath are not compared.
bool purl_matches_package(const catalog::purl::Purl& purl, const scan::Vulnerability& finding);

// True when the `pkg:oci` purl names the image of `result`: its name equal to
// the last component of the repository, its version (a digest), when given,
// equal to the platform's manifest digest, and the qualifiers
// `repository_url` (host/repository) and `tag`, when given, equal too.
bool purl_matches_image(const catalog::purl::Purl& purl, const scan::ImageResult& result);

}  // namespace regscan::triage
