#include "scan/model.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>

namespace regscan::scan {

std::string to_string(Severity severity) {
    switch (severity) {
        case Severity::critical: return "critical";
        case Severity::high: return "high";
        case Severity::medium: return "medium";
        case Severity::low: return "low";
        case Severity::unknown: break;
    }
    return "unknown";
}

Severity severity_from_string(const std::string& text) {
    std::string lower = util::ascii_lower(text);
    if (lower == "critical") return Severity::critical;
    if (lower == "high" || lower == "important") return Severity::high;
    if (lower == "medium" || lower == "moderate") return Severity::medium;
    if (lower == "low" || lower == "negligible" || lower == "unimportant") return Severity::low;
    return Severity::unknown;
}

std::string to_string(ScanStatus status) {
    switch (status) {
        case ScanStatus::scanned: return "scanned";
        case ScanStatus::scan_failed: return "scan_failed";
        case ScanStatus::skipped: return "skipped";
        case ScanStatus::reused: return "reused";
    }
    return "scanned";
}

std::string to_string(MalwareVerdict verdict) {
    switch (verdict) {
        case MalwareVerdict::clean: return "clean";
        case MalwareVerdict::found: return "found";
        case MalwareVerdict::incomplete: return "incomplete";
        case MalwareVerdict::not_scanned: break;
    }
    return "not_scanned";
}

MalwareVerdict malware_verdict_from_string(const std::string& text) {
    if (text == "clean") return MalwareVerdict::clean;
    if (text == "found") return MalwareVerdict::found;
    if (text == "incomplete") return MalwareVerdict::incomplete;
    return MalwareVerdict::not_scanned;
}

std::string status_of(const Vulnerability& vulnerability) {
    if (!vulnerability.fixed_version.empty()) return "fixed";
    return vulnerability.status.empty() ? "affected" : vulnerability.status;
}

std::string status_words(const Vulnerability& vulnerability) {
    auto words = status_of(vulnerability);
    std::replace(words.begin(), words.end(), '_', ' ');
    return words;
}

}  // namespace regscan::scan
