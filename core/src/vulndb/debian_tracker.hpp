// A streaming reader of the Debian Security Tracker's JSON export
// (https://security-tracker.debian.org/tracker/data/json): source package ->
// issue id -> "releases" -> codename -> {status, urgency, nodsa_reason, ...}.
// It hands over, per Debian release, source package and issue, the statuses
// that are not the default (OSV records do not carry them), parsing with a
// SAX handler so memory stays small whatever the export's size (50-70 MB).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace regscan::vulndb {

// Bounds on a hostile or broken export (the real one is far below each).
inline constexpr size_t max_tracker_size = size_t{512} * 1024 * 1024;  // bytes, checked before parsing
inline constexpr size_t max_tracker_depth = 8;           // nested containers; the real shape needs 6
inline constexpr size_t max_tracker_string = 4096;       // bytes of any key or of a string kept
inline constexpr size_t max_tracker_issues = 2'000'000;  // issues over all packages
inline constexpr size_t max_tracker_releases_per_issue = 100;
inline constexpr size_t max_tracker_package_name = 128;  // Debian source name [a-z0-9][a-z0-9+.-]*
inline constexpr size_t max_tracker_issue_id = 64;       // [A-Za-z0-9-]+
inline constexpr size_t max_tracker_codename = 64;       // [a-z0-9][a-z0-9+.-]*

// One non-default status of an open issue in one Debian release.
struct TrackerStatus {
    std::string ecosystem;      // OSV ecosystem of the release: "Debian:12" for bookworm
    std::string package;        // source package as the tracker names it ("zlib")
    std::string vulnerability;  // the tracker's issue id ("CVE-2023-45853", "TEMP-...")
    std::string status;         // "will_not_fix" | "fix_deferred" | "end_of_life" | "under_investigation"
};

struct TrackerReadSummary {
    size_t packages = 0, issues = 0, releases = 0, statuses = 0, unknown_releases = 0;
};

// Anything not in the tracker's shape; the message names the place
// (package/issue/release) with at most 100 input bytes, as they are: whoever
// shows it escapes it (the log sink does).
class TrackerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "Debian:12" for "bookworm" (jessie 8 .. duke 15); nullopt for sid,
// experimental and any codename without a numbered release.
std::optional<std::string> debian_ecosystem_of_codename(std::string_view codename);

// The non-default status of one release of an issue, or "" for none (resolved,
// or plain open): nodsa_reason "ignored" -> will_not_fix, "postponed" ->
// fix_deferred, urgency "end-of-life" (trailing '*'s ignored) -> end_of_life,
// status "undetermined" -> under_investigation.
std::string_view tracker_status_of(std::string_view status, std::string_view urgency,
                                   std::string_view nodsa_reason);

// Reads the whole export, calling emit once per non-default status of a
// release with a numbered codename, once that release's object is complete.
// Throws TrackerError on anything not in the tracker's shape or past a bound.
TrackerReadSummary read_debian_tracker(std::string_view json,
                                       const std::function<void(TrackerStatus&&)>& emit);

}  // namespace regscan::vulndb
