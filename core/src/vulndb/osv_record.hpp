// One OSV record (https://ossf.github.io/osv-schema/), reduced to what
// matching and reporting need, and checked against the schema's rules so a
// malformed record is refused with a reason instead of matching wrongly.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace regscan::vulndb {

enum class EventKind { introduced, fixed, last_affected, limit };

struct OsvEvent {
    EventKind kind = EventKind::introduced;
    std::string version;
};

struct OsvRange {
    std::string type;  // "ECOSYSTEM", "SEMVER", "GIT" (or a future type, never matched)
    std::vector<OsvEvent> events;
};

struct OsvSeverity {
    std::string type;   // "CVSS_V3", "CVSS_V4", "Ubuntu", ...
    std::string score;  // a vector for CVSS types
};

struct OsvAffected {
    std::string ecosystem;  // "Debian:12", "PyPI"
    std::string name;
    std::vector<OsvRange> ranges;
    std::vector<std::string> versions;
    std::vector<OsvSeverity> severity;
    // ecosystem_specific.severity, else database_specific.severity, else
    // Debian's ecosystem_specific.urgency: the word as written.
    std::string severity_word;
};

struct OsvRecord {
    std::string id;
    std::string modified;  // normalised, see normalise_timestamp()
    bool withdrawn = false;
    std::string summary;   // summary, else the start of details
    std::vector<std::string> aliases;
    std::vector<std::string> upstream;
    std::vector<std::string> related;
    std::vector<OsvSeverity> severity;
    std::string severity_word;  // database_specific.severity, else a "Important: ..." summary prefix
    std::vector<std::string> references;  // URLs
    std::vector<OsvAffected> affected;
};

struct OsvError {
    std::string id;      // when the record got that far
    std::string reason;  // "modified: not an RFC 3339 time: \"yesterday\""
};

// Parses and validates one record. Unknown fields are ignored (the schema
// allows additions); what matching relies on must be well-formed.
std::variant<OsvRecord, OsvError> parse_osv_record(std::string_view json);

// RFC 3339 time to a UTC form that sorts as text:
// "2021-07-16T01:31:33.917972Z" -> "2021-07-16T01:31:33.917972000Z".
// Empty when the text is not an RFC 3339 time.
std::string normalise_timestamp(std::string_view text);

}  // namespace regscan::vulndb
