// An npm manifest or lockfile parsed keeping only what the npm cataloger
// reads: a lockfile's tree otherwise takes ten times its text in memory
// (resolved URLs, integrity hashes, engines, scripts...), and a hostile one
// of minimal entries far more. What is kept is counted against the file's
// budget as it is parsed.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "catalog/file_budget.hpp"

namespace regscan::catalog {

enum class NpmDocument { manifest, lockfile };

// The document with, at the top, only name, version, license, licenses,
// dependencies and (a lockfile's) packages, a lockfile's dependencies only
// when it has no packages; under "packages" every install path with only
// its name, version, link, license, licenses and dependencies; under any
// "dependencies" every name with null for a range, or (a lockfile v1 entry)
// only its version and dependencies; under license(s) only "type". A
// discarded value when the text is not JSON. Throws FileBudgetExceeded past
// `budget`, std::runtime_error past 1000 levels of nesting.
nlohmann::json parse_npm_document(std::string_view content, NpmDocument kind, FileBudget& budget);

}  // namespace regscan::catalog
