// The triage policy: which findings do not count. Built once per run from
// --severity, --ignore-unfixed, the ignore file and --vex; applied to each
// image's result as the run reports it (never to what the state stores), so
// a rescan under another policy reports what a first scan would. Suppressed
// findings keep their place in the result, marked (scan::Suppression).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "filter/pattern_filter.hpp"
#include "scan/model.hpp"
#include "triage/input.hpp"
#include "triage/ignore_file.hpp"
#include "triage/vex.hpp"

namespace regscan::triage {

// What the command line gives.
struct PolicyOptions {
    std::vector<std::string> severities;  // --severity values (each may be a comma-separated list)
    bool ignore_unfixed = false;
    std::string ignore_file;              // --ignore-file; "" reads default_ignore_file when it exists
    std::vector<std::string> vex_files;   // --vex, in the order given
    std::vector<std::string> ignore_statuses;  // --ignore-status values (each may be a comma-separated list)
    bool no_ignore_file = false;          // --no-ignore-file: not even default_ignore_file
};

inline constexpr const char* default_ignore_file = ".regscanignore";

// "critical,high" (any case, repeated or comma-joined) as severities; throws
// InputError naming a word that is none.
std::set<scan::Severity> parse_severities(const std::vector<std::string>& values);
// "will_not_fix,end_of_life" as statuses (scan::vulnerability_statuses, any
// case, '-' for '_'); throws InputError naming a word that is none.
std::set<std::string> parse_statuses(const std::vector<std::string>& values);

class Policy {
public:
    // `kept`: the severities that count (empty: all). `today`: YYYY-MM-DD
    // (UTC); ignore entries expiring on or before it are left out, each with
    // a warning.
    // `ignored_statuses`: vulnerabilities whose scan::status_of() is one of
    // them do not count.
    Policy(std::set<scan::Severity> kept, bool ignore_unfixed, std::vector<IgnoreFile> ignore_files,
           std::vector<VexDocument> vex, const std::string& today, std::set<std::string> ignored_statuses = {});

    // Marks each vulnerability and misconfiguration of `result` that does not
    // count, clearing earlier marks: the first that applies of an ignore
    // entry (file order), a VEX not_affected statement (the last statement
    // about the finding decides), --ignore-unfixed, --ignore-status, --severity.
    // Malware findings: an ignore entry only; a scanned image's malware
    // verdict then follows its counted findings (found while one counts, else
    // incomplete or clean), so a policy applied again restores "found".
    void apply(scan::ImageResult& result) const;

    // Changes whenever what apply() does or writes could change; "" for a
    // policy that suppresses nothing.
    [[nodiscard]] const std::string& fingerprint() const { return fingerprint_; }
    [[nodiscard]] bool suppresses_nothing() const { return fingerprint_.empty(); }
    // Expired entries, VEX products that cannot be matched: for the log.
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }
    // For the log: "2 ignore entries from .regscanignore, 3 VEX statements from a.json".
    [[nodiscard]] std::string describe() const;

private:
    struct Entry {
        IgnoreEntry entry;
        std::string source;
        std::optional<filter::PatternFilter> image;
    };
    struct Statement {
        VexStatement statement;
        std::string source;
    };
    [[nodiscard]] std::optional<scan::Suppression> by_ignore_file(const scan::ImageResult& result,
                                                                  const std::string& id,
                                                                  const std::vector<std::string>& aliases,
                                                                  const scan::Vulnerability* finding,
                                                                  const scan::MalwareFinding* malware) const;
    [[nodiscard]] std::optional<scan::Suppression> by_vex(const scan::ImageResult& result,
                                                          const scan::Vulnerability& finding) const;

    std::set<scan::Severity> kept_;
    bool ignore_unfixed_ = false;
    std::set<std::string> ignored_statuses_;
    std::vector<Entry> entries_;
    std::multimap<std::string, size_t> entries_by_id_;  // lowercased id -> index in entries_
    std::vector<Statement> statements_;
    std::multimap<std::string, size_t> statements_by_id_;
    std::vector<std::string> warnings_;
    std::vector<std::string> sources_;
    std::string fingerprint_;
};

// The policy the options ask for, reading every file (bounded); null when
// they ask for nothing. Throws InputError for a file that cannot be used.
// `today` defaults to the UTC date.
std::shared_ptr<const Policy> load_policy(const PolicyOptions& options, std::string today = "");

// `result` without the findings triage suppressed: what every report but
// the JSON one lists and counts.
scan::ImageResult without_suppressed(scan::ImageResult result);
// How many findings of `result` are suppressed.
size_t suppressed_count(const scan::ImageResult& result);

// YYYY-MM-DD, UTC.
std::string today_utc();

}  // namespace regscan::triage
