// The SQLite layout of the vulnerability database, shared by the importer
// (writer) and VulnDatabase (readers). One row per record and one per
// affected[] entry, indexed by (ecosystem base, normalised package name) so
// matching a package is one index lookup.
#pragma once

#include <string>
#include <vector>

#include "vulndb/osv_record.hpp"
#include "vulndb/sqlite_handle.hpp"

namespace regscan::vulndb {

// Bumped whenever what the importer derives from a record changes: records
// stored under an older format are re-derived by the next import even when
// their `modified` did not move.
inline constexpr int record_format = 1;

// Creates the tables when missing and turns on WAL (several processes share
// the file: readers keep reading while an import runs). release_status holds
// what a distribution says of an issue it has not fixed in one release
// (scan::Vulnerability::status), keyed like `affected`; a database written
// before it existed has no such table until its next import.
void create_schema(Connection& connection);

bool has_table(Connection& connection, const char* name);

// True when the file has the tables of a regscan vulnerability database.
bool has_schema(Connection& connection);

// An affected[] entry as stored: ranges, versions and its own severity, as
// compact JSON, and back.
std::string encode_affected(const OsvAffected& affected);
OsvAffected decode_affected(const std::string& ecosystem, const std::string& name, const std::string& text);

// The ids a record stands for besides its own: aliases and upstream, plus
// `related` for distribution advisories (DSA, USN, ALSA, ...) whose related
// list is the CVEs they fix.
std::vector<std::string> record_aliases(const OsvRecord& record);

// The CVSS v3 vector a record (or affected entry) is rated by: the first
// CVSS_V3 vector, v3.1 preferred over v3.0; empty when it has none.
std::string preferred_cvss_vector(const std::vector<OsvSeverity>& severity);

// A meta value, or "" when unset.
std::string read_meta(Connection& connection, const char* key);

}  // namespace regscan::vulndb
