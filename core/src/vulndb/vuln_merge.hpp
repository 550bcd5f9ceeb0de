// Turns the records matched for one package into the Vulnerabilities a
// report lists: records that alias one another (GHSA and PYSEC, a DSA and
// the DEBIAN-CVE records of its CVEs) become one entry, so a CVE is reported
// once per package.
#pragma once

#include <string>
#include <vector>

#include "scan/model.hpp"

namespace regscan::vulndb {

// One matched record, with what the matching affected[] entry added.
struct RecordHit {
    std::string id;
    std::vector<std::string> aliases;  // aliases, upstream (see record_aliases())
    std::string summary;
    std::string cvss_vector;    // the entry's own vector, else the record's
    std::string severity_word;  // the entry's own word, else the record's
    std::vector<std::string> references;
    std::string fixed_version;
};

// What was matched: the name and version looked up (source package for
// Debian), and the package's ecosystem.
struct MatchedPackage {
    std::string name;
    std::string version;
    std::string ecosystem;
};

// Groups hits whose id sets intersect (transitively). The primary id of a
// group is the one of its records ranked first: the ecosystem's own
// advisory database (DSA/DLA/DEBIAN for Debian, PYSEC for PyPI, GO for Go,
// ALSA for AlmaLinux, ...), then GHSA, then other ids, then plain CVE ids;
// ties alphabetically. Severity: the highest CVSS v3 base score of the
// group, else the highest textual severity. fixed_version: the highest fix
// any of them names. Result sorted by id.
std::vector<scan::Vulnerability> merge_hits(const std::vector<RecordHit>& hits, const MatchedPackage& package);

}  // namespace regscan::vulndb
