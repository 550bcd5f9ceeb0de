// `regscan image sbom:FILE`: the packages an SBOM lists, matched as a scanned
// image's would be, with no registry and no layer. Read: CycloneDX JSON
// (bomFormat "CycloneDX": components[], nested components too) and SPDX 2.3
// JSON (spdxVersion "SPDX-2.3": packages[] whose externalRefs[] hold a
// referenceType "purl"). Each package is known by its package URL; the OS
// packages' release comes from the purl's `distro` qualifier (as Syft, Trivy
// and regscan write it), or from the document's operating-system component.
// The file is untrusted input: bounded in size, nesting and count.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan/model.hpp"

namespace regscan::local {

// Bounds on an SBOM file (docs/cli.md, "sbom:FILE"): one image's SBOM is a
// few MiB; nesting is a few levels (CycloneDX nests components).
inline constexpr size_t max_sbom_size = 64 << 20;  // 64 MiB
inline constexpr size_t max_sbom_depth = 64;       // JSON objects and arrays within each other
inline constexpr size_t max_sbom_components = 200000;  // components (CycloneDX) or packages (SPDX)
// JSON values (objects, arrays, members, elements): bounds the parsed
// tree's memory; a component is a few dozen.
inline constexpr size_t max_sbom_values = 4000000;

struct SbomContents {
    std::string format;  // "CycloneDX 1.5", "SPDX-2.3"
    // The OS of the OS packages (from the first distro qualifier, else the
    // document's operating-system component); nullopt when none says.
    std::optional<scan::OsRelease> os;
    std::vector<scan::Package> packages;  // with their OSV ecosystem where regscan matches it
    // What was listed but cannot be matched (no purl, a purl type regscan
    // has no data for, OS packages of no known release): said, never silent.
    std::vector<std::string> notes;
};

// The package a purl names, its type and OSV ecosystem as regscan's
// catalogers would give it ("deb", "Debian:12" once `os` is known), the
// `upstream` qualifier as its source package; nullopt when `purl` is not a
// package URL. OS packages (deb, apk, rpm) get their ecosystem from
// assign_ecosystems, not here.
std::optional<scan::Package> package_from_purl(std::string_view purl);

// The OS release a `distro` qualifier names: "debian-12", "debian-bookworm",
// "alpine-3.18.4", "ubuntu-22.04", "rocky-9.3"; nullopt when it has no
// release.
std::optional<scan::OsRelease> os_from_distro(std::string_view distro);

// Parses an SBOM document; `shown` names it in errors. Throws sdk::Error
// ("<shown>: <what is wrong>") when it is neither format, is malformed, or
// goes past a bound.
SbomContents parse_sbom(std::string_view text, const std::string& shown);

// Reads and parses the file at `path` (at most max_sbom_size bytes); throws
// sdk::Error naming the file.
SbomContents read_sbom(const std::filesystem::path& path);

// The image's result before matching: the SBOM's OS, packages and notes,
// status scanned; the caller names the image.
scan::ImageResult sbom_image_result(SbomContents contents);

// The tag reports give the image of sbom:FILE: the file's name in the tag
// grammar ([A-Za-z0-9_.-], at most 128 characters), every other character
// an '_'.
std::string sbom_tag(const std::filesystem::path& file);

}  // namespace regscan::local
