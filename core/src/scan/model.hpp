// The scan's data model, shared by catalogers, the vulnerability matcher,
// the state store and the reporters. Plain values; JSON conversions in
// model_json.hpp so every report and the state store agree on the shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace regscan::scan {

// /etc/os-release or /usr/lib/os-release.
struct OsRelease {
    std::string id;                // "debian", "alpine", "almalinux", "rocky", "fedora", "rhel", "ubuntu"
    std::string version_id;        // "12", "3.18.4", "9.3"
    std::string version_codename;  // "bookworm"
    std::string id_like;           // "rhel centos fedora"
    std::string pretty_name;
};

// A package found in an image.
struct Package {
    std::string type;            // "deb", "apk", "rpm", "npm", "python", "go-module", "go-stdlib", "java-archive"
    std::string name;            // binary package / distribution / module / groupId:artifactId
    std::string version;         // as the package database writes it (dpkg: [epoch:]upstream[-revision])
    std::string source_name;     // dpkg/rpm source package when it differs from name ("" otherwise)
    std::string source_version;  // version of the source package when it differs
    std::string ecosystem;       // OSV ecosystem, filled once the OS is known: "Debian:12", "Alpine:v3.18", "npm"
    std::string purl;            // package URL (purl-spec)
    std::string location;        // path of the file it was found in, e.g. "/var/lib/dpkg/status"
    std::string layer_digest;    // the layer that holds that file
};

enum class Severity { unknown = 0, low, medium, high, critical };

// One vulnerability affecting one package.
struct Vulnerability {
    std::string id;                    // the OSV id matched, e.g. "GHSA-...", "DSA-5555-1", "ALSA-2022:6157"
    std::vector<std::string> aliases;  // CVE ids and other ids, merged
    std::string summary;
    Severity severity = Severity::unknown;
    double cvss_score = 0.0;    // base score when a CVSS vector was given
    std::string cvss_vector;
    std::string package_name;   // as matched (source name for Debian)
    std::string package_version;
    std::string ecosystem;
    std::string fixed_version;  // "" when no fix is known
    std::vector<std::string> references;
};

// A misconfiguration of the image config or its files.
struct Misconfiguration {
    std::string id;        // stable, e.g. "RS-CFG-001"
    std::string title;
    Severity severity = Severity::unknown;
    std::string detail;    // what exactly was found (never the secret itself)
    std::string location;  // "config.User", "/root/.ssh/id_rsa", "history[3]"
};

enum class ScanStatus { scanned, scan_failed, skipped, reused };

// Everything known about one scanned image (one platform of it).
struct ImageResult {
    std::string registry;    // host[:port]
    std::string repository;
    std::string tag;
    std::string digest;      // manifest digest of the platform scanned
    std::string platform;    // "linux/amd64"
    std::string build_time;  // UTC
    ScanStatus status = ScanStatus::scanned;
    std::string error;       // why it failed
    std::optional<OsRelease> os;
    std::vector<Package> packages;
    std::vector<Vulnerability> vulnerabilities;
    std::vector<Misconfiguration> misconfigurations;
    std::vector<std::string> notes;  // e.g. "Berkeley DB rpmdb found at /var/lib/rpm/Packages: not read"
    uint64_t bytes_pulled = 0;
};

std::string to_string(Severity severity);       // "critical", "high", "medium", "low", "unknown"
Severity severity_from_string(const std::string& text);
std::string to_string(ScanStatus status);       // "scanned", "scan_failed", "skipped", "reused"

}  // namespace regscan::scan
