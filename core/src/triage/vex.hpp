// VEX input (--vex FILE): OpenVEX JSON (0.0.x and 0.2) and CycloneDX VEX
// JSON (1.4 to 1.6), read into one statement shape. Only a `not_affected`
// statement suppresses a finding (CycloneDX: analysis state `not_affected`
// or `false_positive`); `fixed`, `affected` and `under_investigation`
// (CycloneDX `resolved`, `exploitable`, `in_triage`) are read but change
// nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "triage/purl.hpp"

namespace regscan::triage {

// What one statement applies to: a package (any image), an image (every
// package in it), or a package in an image.
struct VexTarget {
    std::optional<catalog::purl::Purl> image;    // pkg:oci/...
    std::optional<catalog::purl::Purl> package;
};

struct VexStatement {
    std::vector<std::string> ids;  // the vulnerability's name and the aliases the statement gives
    std::vector<VexTarget> targets;
    std::string status;            // "not_affected", "affected", "fixed", "under_investigation"
    std::string justification;
    std::string reason;            // impact statement or detail
    // When it was made (RFC 3339): OpenVEX's statement timestamp, else the
    // document's; CycloneDX's analysis.lastUpdated, else firstIssued, else
    // the BOM's metadata.timestamp; "" when none is given.
    std::string timestamp;
    std::string where;             // "statements[2]" / "vulnerabilities[0]", for messages
};

struct VexDocument {
    std::string path;
    std::string format;  // "openvex" or "cyclonedx"
    std::vector<VexStatement> statements;
    std::vector<std::string> warnings;  // product ids that are not package URLs, and the like
};

// Throws InputError naming `path` and the line (syntax) or JSON path (meaning)
// of the first problem.
VexDocument parse_vex(std::string_view text, const std::string& path);

}  // namespace regscan::triage
