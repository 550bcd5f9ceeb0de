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
    // As the package data declares them (SPDX ids or expressions where it
    // writes those, e.g. "GPL-2.0-or-later", else its own words, e.g.
    // "GPL-2+"); empty when it declares none.
    std::vector<std::string> licenses;
    // Names of the packages of the same type it requires, as its data says
    // (dpkg Depends/Pre-Depends, apk D:, package.json dependencies, Python
    // Requires-Dist); reporters link those the image holds.
    std::vector<std::string> depends_on;
};

enum class Severity { unknown = 0, low, medium, high, critical };

// Why a finding does not count (triage, core/src/triage/): it is left out of
// the summary, the table, CSV, SARIF, CycloneDX and --fail-on, and stays in
// the JSON report marked with this. Never stored: applied to each result as
// the run reports it, so a rescan with another policy is not stale.
struct Suppression {
    std::string by;             // "ignore-file", "vex", "severity", "unfixed", "status"
    std::string reason;         // the ignore entry's reason; a VEX statement's impact statement or detail
    std::string justification;  // VEX: the statement's justification ("vulnerable_code_not_present")
    std::string source;         // the ignore file or VEX document; "" for --severity and --ignore-unfixed
    std::string expires;        // the ignore entry's expiry date (YYYY-MM-DD), "" when none
};

// One vulnerability affecting one package.
struct Vulnerability {
    std::string id;                    // the OSV id matched, e.g. "GHSA-...", "DSA-5555-1", "ALSA-2022:6157"
    std::vector<std::string> aliases;  // CVE ids and other ids, merged
    std::string summary;
    Severity severity = Severity::unknown;
    double cvss_score = 0.0;    // base score when a CVSS vector was given
    std::string cvss_vector;
    std::string package_name;    // the installed package ("libc6"), as the user installs it
    std::string package_version;
    // The source package the advisory names, where it differs ("glibc" for
    // libc6 on Debian, whose records are keyed by source): a detail, as in
    // Trivy and Grype.
    std::string source_package;
    std::string source_version;
    std::string ecosystem;
    std::string fixed_version;  // "" when no fix is known
    // What the distribution says of a finding it has not fixed, in Trivy's
    // words: "will_not_fix", "fix_deferred", "end_of_life",
    // "under_investigation" (vulndb reads the Debian Security Tracker's
    // export for these); "" when it said nothing. Read through status_of().
    std::string status;
    std::vector<std::string> references;
    std::optional<Suppression> suppressed;  // set by triage: the finding does not count
};

// A finding's STATUS: "fixed" when a fix is known, else the distribution's
// status word when it gave one, else "affected". One answer for every report.
std::string status_of(const Vulnerability& vulnerability);
// status_of() for people: "will not fix".
std::string status_words(const Vulnerability& vulnerability);

// Every status status_of() can answer, in the order the docs list them.
inline constexpr const char* vulnerability_statuses[] = {"fixed",       "affected",           "will_not_fix",
                                                          "fix_deferred", "end_of_life", "under_investigation"};

// A misconfiguration of the image config or its files.
struct Misconfiguration {
    std::string id;        // stable, e.g. "RS-CFG-001"
    std::string title;
    Severity severity = Severity::unknown;
    std::string detail;    // what exactly was found (never the secret itself)
    std::string location;  // "config.User", "/root/.ssh/id_rsa", "history[3]"
    std::optional<Suppression> suppressed;  // set by triage: the finding does not count
};

enum class ScanStatus { scanned, scan_failed, skipped, reused };

// Malware (--malware): a file a signature or rule matched. It was shipped in
// the image even when a later layer deletes it, so it is always reported
// (an ignore entry may say it does not count: a known false positive).
struct MalwareFinding {
    std::string path;          // in the layer that added it
    std::string layer_digest;  // that layer
    std::string engine;        // "clamav" or "yara"
    std::string signature;     // ClamAV signature name or YARA rule (namespace:rule)
    std::string sha256;        // of the file's content
    bool in_final_filesystem = true;  // false when a later layer deletes (whiteout) or replaces it
    // A match inside an archive: `path` is "<archive>!<member>" (nesting
    // levels joined with "!"), `archive` the layer's file holding it, and
    // `sha256` the member's, or the archive's when sha256_of says "archive".
    std::string archive;
    std::string sha256_of;  // "" (the file's), "member" or "archive"
    std::optional<Suppression> suppressed;  // set by triage (an ignore entry): the finding does not count
};

// A file not fully examined: over a --malware-* limit, or an encrypted archive.
struct MalwareIncomplete {
    std::string path;
    std::string layer_digest;
    std::string reason;
};

// found (any finding) > incomplete (no finding, some file not fully
// examined) > clean; not_scanned when --malware is off or no signatures load.
enum class MalwareVerdict { not_scanned, clean, found, incomplete };

// The reason of a not_scanned verdict when --malware was not given.
inline constexpr const char* malware_off = "--malware is off";

struct MalwareResult {
    MalwareVerdict verdict = MalwareVerdict::not_scanned;
    std::string reason = malware_off;  // why not_scanned
    std::string signatures;  // the signature-set version examined with
    std::vector<MalwareFinding> findings;
    std::vector<MalwareIncomplete> incomplete;

    // --malware was given for this result (examined, or said why not).
    [[nodiscard]] bool requested() const { return verdict != MalwareVerdict::not_scanned || reason != malware_off; }
};

// Everything known about one scanned image (one platform of it).
// Whether the vulnerability data has records for an ecosystem the image's
// packages are in: without them the image's "no vulnerabilities" there means
// "not checked", and the report says so.
struct EcosystemCoverage {
    std::string ecosystem;  // as the packages name it: "Debian:12", "PyPI"
    size_t packages = 0;
    bool has_data = false;
};

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
    MalwareResult malware;
    std::vector<EcosystemCoverage> vulnerability_data;  // per ecosystem of its packages, by name
    std::vector<std::string> notes;  // e.g. "Berkeley DB rpmdb found at /var/lib/rpm/Packages: not read"
    uint64_t bytes_pulled = 0;
};

std::string to_string(Severity severity);       // "critical", "high", "medium", "low", "unknown"
Severity severity_from_string(const std::string& text);
std::string to_string(ScanStatus status);       // "scanned", "scan_failed", "skipped", "reused"
std::string to_string(MalwareVerdict verdict);  // "not_scanned", "clean", "found", "incomplete"
MalwareVerdict malware_verdict_from_string(const std::string& text);

}  // namespace regscan::scan
