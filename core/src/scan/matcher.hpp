// What the scan engine needs of the vulnerability data: matches for one
// package, a fingerprint that changes whenever the data does (a rescan
// reuses a stored result only while the fingerprint is unchanged), which
// ecosystems it has data for, and how old it is.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "scan/model.hpp"

namespace regscan::scan {

// What every report says of the data a run matched against.
struct DataInfo {
    std::string path;
    std::string fingerprint;
    std::string last_import;    // when the data was last imported (RFC 3339 UTC)
    std::string newest_record;  // the newest record's `modified`
    size_t records = 0;         // usable (not withdrawn) records
    std::vector<std::string> ecosystems;  // sorted
};

class VulnerabilityMatcher {
public:
    virtual ~VulnerabilityMatcher() = default;
    [[nodiscard]] virtual std::string fingerprint() const = 0;
    // Thread-safe.
    [[nodiscard]] virtual std::vector<Vulnerability> match(const Package& package) const = 0;
    // Whether the data has records for this ecosystem ("Debian:12", "npm").
    [[nodiscard]] virtual bool covers(const std::string& ecosystem) const = 0;
    [[nodiscard]] virtual const DataInfo& info() const = 0;
};

// How old the data may be before a run warns (or, strict, refuses).
struct DataPolicy {
    std::chrono::seconds max_age = std::chrono::hours(24 * 7);
    bool strict = false;
};

// Opens the OSV database at `path` for matching. Throws app::Fatal
// (bad_arguments) with what to do when there is none, when it holds no
// records (every image would look clean), or, strict, when it is older
// than the policy allows (otherwise that is a warning in the log).
std::unique_ptr<VulnerabilityMatcher> open_vulnerability_data(const std::filesystem::path& path,
                                                              const DataPolicy& policy = {});

// Per ecosystem of the image's packages, whether `matcher` has data for it.
std::vector<EcosystemCoverage> coverage_of(const std::vector<Package>& packages,
                                           const VulnerabilityMatcher& matcher);

}  // namespace regscan::scan
