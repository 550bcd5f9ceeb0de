// What the scan engine needs of the vulnerability data: matches for one
// package, and a fingerprint that changes whenever the data does (a rescan
// reuses a stored result only while the fingerprint is unchanged).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "scan/model.hpp"

namespace regscan::scan {

class VulnerabilityMatcher {
public:
    virtual ~VulnerabilityMatcher() = default;
    [[nodiscard]] virtual std::string fingerprint() const = 0;
    // Thread-safe.
    [[nodiscard]] virtual std::vector<Vulnerability> match(const Package& package) const = 0;
};

// Opens the OSV database at `path` for matching. Throws app::Fatal
// (bad_arguments) with what to do when there is none.
std::unique_ptr<VulnerabilityMatcher> open_vulnerability_data(const std::filesystem::path& path);

}  // namespace regscan::scan
