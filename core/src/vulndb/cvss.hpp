// CVSS base scores from vector strings, and the qualitative severity scale
// both CVSS v3.x and OSV consumers use. Only v3.0/v3.1 are scored: a v4.0
// score needs the specification's macro-vector lookup tables, which regscan
// does not carry (records with v4 only fall back to their textual severity).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scan/model.hpp"

namespace regscan::vulndb {

// The CVSS v3.0/v3.1 base score of a vector such as
// "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" (9.8). Temporal and
// environmental metrics may follow and are ignored. nullopt when the vector
// is not a well-formed v3 vector (missing, repeated or unknown base metric).
std::optional<double> cvss3_base_score(std::string_view vector);

// CVSS v3.1 qualitative rating: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high,
// 9.0-10.0 critical. A 0.0 score ("None") is reported as low.
scan::Severity severity_for_score(double score);

// A textual severity as databases write it ("CRITICAL", "Important",
// "moderate", "negligible", Debian's urgency "unimportant", ...); unknown
// when the word is not a severity ("not yet assigned", "").
scan::Severity severity_from_word(std::string_view word);

}  // namespace regscan::vulndb
