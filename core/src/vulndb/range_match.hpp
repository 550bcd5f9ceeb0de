// The OSV evaluation algorithm (schema "Evaluation" section): is a version
// inside an affected[] entry's versions list or one of its ranges, and which
// fix is the next one up.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "versions/version_compare.hpp"
#include "vulndb/osv_record.hpp"

namespace regscan::vulndb {

struct AffectedVerdict {
    bool affected = false;
    // The lowest `fixed` event above the version among the entry's ordered
    // ranges; empty when none is (unfixed, or last_affected only).
    std::string fixed_version;
};

// The version order a range is evaluated in: SEMVER ranges use SemVer (Go's
// with its optional "v"), ECOSYSTEM ranges the ecosystem's own order, and
// GIT ranges (commits) none: they are skipped, the versions list stands in.
std::optional<versions::Scheme> range_scheme(std::string_view range_type, std::string_view ecosystem);

// IsVulnerable() for one affected entry and one installed version. A range
// whose order refuses the installed version (versions::is_valid) cannot say
// anything about it and is skipped; the versions list is still consulted.
AffectedVerdict evaluate_affected(const OsvAffected& affected, std::string_view installed_version);

}  // namespace regscan::vulndb
