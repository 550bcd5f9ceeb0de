#include "triage/fail_on.hpp"

#include <fmt/format.h>

#include "filter/pattern_filter.hpp"
#include "triage/input.hpp"

namespace regscan::triage {
namespace {

std::optional<scan::Severity> floor_of(std::string_view word) {
    if (word == "low") return scan::Severity::low;
    if (word == "medium") return scan::Severity::medium;
    if (word == "high") return scan::Severity::high;
    if (word == "critical") return scan::Severity::critical;
    return std::nullopt;
}

size_t at_or_above(const size_t* counts, scan::Severity floor) {
    size_t total = 0;
    for (int s = static_cast<int>(floor); s <= static_cast<int>(scan::Severity::critical); ++s) total += counts[s];
    return total;
}

}  // namespace

FailOn parse_fail_on(std::string_view text) {
    constexpr const char* usage =
        "--fail-on takes a severity (low, medium, high, critical) or categories: "
        "vulnerabilities[:SEVERITY],misconfigurations[:SEVERITY],malware";
    auto words = filter::split_patterns({std::string(text)});
    if (words.empty()) throw InputError(usage);
    FailOn fail_on;
    if (words.size() == 1 && floor_of(words[0])) {
        fail_on.vulnerabilities = fail_on.misconfigurations = floor_of(words[0]);
        fail_on.malware = true;  // as before categories: any malware fails
        return fail_on;
    }
    auto set = [&](std::optional<scan::Severity>& slot, scan::Severity floor, const std::string& word) {
        if (slot) throw InputError("--fail-on: '" + word + "' repeats a category");
        slot = floor;
    };
    for (const auto& word : words) {
        auto colon = word.find(':');
        std::string category = word.substr(0, colon);
        std::optional<scan::Severity> floor = scan::Severity::unknown;
        if (colon != std::string::npos) {
            floor = floor_of(word.substr(colon + 1));
            if (!floor || category == "malware")
                throw InputError("--fail-on: '" + word + "': " + usage);
        }
        if (colon == std::string::npos && floor_of(word)) {
            set(fail_on.vulnerabilities, *floor_of(word), word);
            set(fail_on.misconfigurations, *floor_of(word), word);
        } else if (category == "vulnerabilities") {
            set(fail_on.vulnerabilities, *floor, word);
        } else if (category == "misconfigurations") {
            set(fail_on.misconfigurations, *floor, word);
        } else if (category == "malware") {
            if (fail_on.malware) throw InputError("--fail-on: 'malware' given twice");
            fail_on.malware = true;
        } else {
            throw InputError("--fail-on: unknown '" + word + "'; " + usage);
        }
    }
    return fail_on;
}

std::string fail_on_reason(const FailOn& fail_on, const FindingCounts& counts) {
    std::string reason;
    auto add = [&](const std::string& part) { reason += (reason.empty() ? "" : ", ") + part; };
    auto describe = [](scan::Severity floor) {
        return floor == scan::Severity::unknown ? std::string("of any severity")
                                                : "at or above " + scan::to_string(floor);
    };
    if (fail_on.vulnerabilities && counts.vulnerabilities)
        if (size_t n = at_or_above(counts.vulnerabilities, *fail_on.vulnerabilities))
            add(fmt::format("{} vulnerabilities {}", n, describe(*fail_on.vulnerabilities)));
    if (fail_on.misconfigurations && counts.misconfigurations)
        if (size_t n = at_or_above(counts.misconfigurations, *fail_on.misconfigurations))
            add(fmt::format("{} misconfigurations {}", n, describe(*fail_on.misconfigurations)));
    if (fail_on.malware && counts.malware) add(fmt::format("{} malware findings", counts.malware));
    return reason;
}

}  // namespace regscan::triage
