// "Did you mean ...?" for a mistyped command or option: the closest known
// name by edit distance, when it is close enough to be a typo.
#pragma once

#include <string>
#include <vector>

namespace regscan::app {

// The candidate nearest to `typed` (case-insensitive Levenshtein distance),
// or "" when none is within a third of its length (at least 2 edits), or
// `typed` is one of them.
std::string closest_name(const std::string& typed, const std::vector<std::string>& candidates);

// "; did you mean --allowList?" (with `prefix` before the name), or "".
std::string did_you_mean(const std::string& typed, const std::vector<std::string>& candidates,
                         const std::string& prefix = "");

}  // namespace regscan::app
