// How OSV ecosystems and package names are compared: "Debian:12" is the
// Debian ecosystem scoped to release 12; PyPI names compare after PEP 503
// normalisation; Debian, Ubuntu and Alpine advisories name source packages.
#pragma once

#include <string>
#include <string_view>

namespace regscan::vulndb {

// "Debian:12" -> "Debian"; "Rocky Linux:9" -> "Rocky Linux".
std::string_view ecosystem_base(std::string_view ecosystem);

// The index key of an ecosystem: its base, lowercased ("debian", "pypi").
std::string ecosystem_key(std::string_view ecosystem);

// The index key of a package name within an ecosystem: PEP 503 for PyPI
// ("Jinja2", "jinja_2" -> "jinja2", "jinja-2"), lowercase for NuGet and
// Packagist whose names are case-insensitive, the name itself elsewhere
// (npm, Maven, Go and distribution names are case-sensitive).
std::string package_name_key(std::string_view ecosystem, std::string_view name);

// True when a record's affected[].package.ecosystem covers a package found
// in `package_ecosystem`: same base (case-insensitive), and the record's
// release suffix, if it has one, equals the package's ("Debian:12" covers
// "Debian:12" only; plain "Debian" covers every release).
bool ecosystem_covers(std::string_view record_ecosystem, std::string_view package_ecosystem);

// True for ecosystems whose advisories name the source package (Debian,
// Ubuntu, Alpine and its relatives, SUSE): a binary package is matched by
// Package::source_name/source_version when the cataloger found them.
bool keyed_by_source_package(std::string_view ecosystem);

}  // namespace regscan::vulndb
