// The ignore file (.regscanignore, --ignore-file): one entry per line,
//
//   CVE-2023-1234 exp:2027-01-01 pkg:openssl image:team/api* # reason
//   RS-CFG-001 image:tools/*  # these tools run as root by design
//   PUA.Linux.Tool.Nmap path:/usr/bin/nmap  # a malware signature's false positive
//
// the id first (a vulnerability id or any of its aliases, a
// misconfiguration's rule id, a malware signature or rule name, or the
// sha256 of the file a signature matched), then optional fields in any
// order: `exp:` a date from which the entry no longer applies, `pkg:` a
// pattern over the package's name or its source package's (vulnerabilities
// only), `path:` a pattern over a malware finding's path (malware only),
// `image:` a pattern over [host/]repository:tag as --allowList reads it. `#` (at the start or after
// a blank) starts the reason, shown in the reports. Blank and comment-only
// lines are skipped. docs/triage.md has the details.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace regscan::triage {

struct IgnoreEntry {
    std::string id;       // as written; compared without regard to ASCII case
    std::string expires;  // "YYYY-MM-DD", "" for never
    std::string package;  // wildcard pattern ('*'), "" for any package
    std::string path;     // wildcard pattern over a malware finding's path, "" for any path
    std::string image;    // allowList-style pattern, "" for any image
    std::string reason;
    size_t line = 0;
};

struct IgnoreFile {
    std::string path;
    std::vector<IgnoreEntry> entries;
};

// Throws InputError naming `path` and the line of the first problem.
IgnoreFile parse_ignore_file(std::string_view text, const std::string& path);

// True when `date` is a real calendar date written YYYY-MM-DD.
bool valid_date(std::string_view date);

}  // namespace regscan::triage
