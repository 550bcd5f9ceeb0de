// Writes OSV records into the vulnerability database, in one transaction per
// import session. A record replaces the stored one only when its `modified`
// is newer, so importing the same data twice changes nothing; a malformed
// record is counted and described, and the others still go in.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vulndb/sqlite_handle.hpp"

namespace regscan::vulndb {

struct ImportCounts {
    size_t read = 0;
    size_t imported = 0;   // new ids
    size_t updated = 0;    // a newer `modified` than the stored record
    size_t unchanged = 0;  // the stored record is as new or newer
    size_t rejected = 0;
    ImportCounts& operator+=(const ImportCounts& other);
};

struct Rejection {
    std::string origin;  // "dir/GHSA-x.json", "PyPI.zip!PYSEC-2021-1.json"
    std::string id;      // when the record got as far as naming itself
    std::string reason;
    [[nodiscard]] std::string describe() const;  // "<origin>: <id>: <reason>"
};

struct ImportReport {
    // Keyed by ecosystem base ("Debian", "PyPI") of a record's first
    // affected package; "(none)" for records without one, "(unreadable)" for
    // those that could not be parsed.
    std::map<std::string, ImportCounts> by_ecosystem;
    std::vector<Rejection> rejections;
    std::string fingerprint;  // of the data after the import
    size_t statuses = 0;      // release statuses stored by replace_statuses()
    std::string status_source;  // what they came from ("Debian Security Tracker"), "" when none were read
    [[nodiscard]] ImportCounts total() const;
};

// One status a distribution gives an issue it has not fixed in a release
// (the Debian Security Tracker's "ignored" is "will_not_fix").
struct ReleaseStatus {
    std::string ecosystem;      // "Debian:12"
    std::string package;        // as the distribution's records name it (Debian: the source package)
    std::string vulnerability;  // "CVE-2023-45853"
    std::string status;         // one of scan::vulnerability_statuses
};

class OsvImporter {
public:
    // Creates the file (and its directory) when missing; begins the
    // session's write transaction, waiting for another writer to finish.
    explicit OsvImporter(const std::filesystem::path& database);
    ~OsvImporter();  // rolls back what was not committed
    OsvImporter(const OsvImporter&) = delete;
    OsvImporter& operator=(const OsvImporter&) = delete;

    // One record's JSON; `origin` names where it came from in messages.
    void add(std::string_view json, const std::string& origin);
    // Starts replacing every stored status of the ecosystems `base` names
    // ("Debian": Debian:10, Debian:12, ...) with those add_status() gives:
    // a status export is a whole snapshot, not an update.
    void replace_statuses(const std::string& base, const std::string& source);
    void add_status(const ReleaseStatus& status);
    // Counts a source that yielded no record at all (unreadable file, bad zip).
    void reject_source(const std::string& origin, const std::string& reason);

    // What was read so far (the fingerprint is filled by commit).
    [[nodiscard]] const ImportReport& pending() const { return report_; }
    // Whether a source (a path, a zip, a zip member) yielded nothing at all.
    [[nodiscard]] bool source_rejected() const { return sources_rejected_ > 0; }

    // Stamps the import time, recomputes the fingerprint and commits.
    ImportReport commit();

private:
    struct Statements;
    std::unique_ptr<Connection> connection_;
    std::unique_ptr<Statements> statements_;
    std::unique_ptr<Statement> put_status_;
    ImportReport report_;
    std::set<std::string> ecosystems_seen_;
    size_t sources_rejected_ = 0;
    bool changed_ = false;
    bool open_ = false;
};

// The data fingerprint: SHA-256 over every record's id, modified time and
// format, in id order. Equal data gives an equal fingerprint whatever order
// it was imported in; any added, updated or withdrawn record changes it.
// The release statuses, when there are any, count too.
std::string compute_fingerprint(Connection& connection);

}  // namespace regscan::vulndb
