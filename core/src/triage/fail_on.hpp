// --fail-on: which counted findings make the run exit 7.
//   SEVERITY (low, medium, high, critical): a vulnerability or a
//     misconfiguration at or above it, or any malware (as before categories).
//   categories, comma-separated: vulnerabilities[:SEVERITY],
//     misconfigurations[:SEVERITY], malware; a category without a severity
//     fails on any finding of it. A plain SEVERITY among them stands for
//     both vulnerabilities and misconfigurations (without malware).
// Suppressed findings (triage) never count.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "scan/model.hpp"
#include "triage/input.hpp"

namespace regscan::triage {

struct FailOn {
    std::optional<scan::Severity> vulnerabilities;
    std::optional<scan::Severity> misconfigurations;
    bool malware = false;
};

// Throws InputError with a message naming the word that is wrong.
FailOn parse_fail_on(std::string_view text);

// Counted findings by scan::Severity, and malware findings.
struct FindingCounts {
    const size_t* vulnerabilities = nullptr;    // [5]
    const size_t* misconfigurations = nullptr;  // [5]
    size_t malware = 0;
};

// Why the run fails ("3 vulnerabilities at or above high"), "" when it does not.
std::string fail_on_reason(const FailOn& fail_on, const FindingCounts& counts);

}  // namespace regscan::triage
