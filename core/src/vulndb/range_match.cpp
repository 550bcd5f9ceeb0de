#include "vulndb/range_match.hpp"

#include <algorithm>

#include "vulndb/ecosystem.hpp"

namespace regscan::vulndb {
namespace {

using versions::Scheme;

bool is_zero_introduced(const OsvEvent& event) {
    return event.kind == EventKind::introduced && event.version == "0";
}

// Events in version order; introduced "0" before everything, and events at
// one version keep the order the record gave them.
std::vector<OsvEvent> sorted_events(const std::vector<OsvEvent>& events, Scheme scheme) {
    std::vector<OsvEvent> sorted = events;
    std::stable_sort(sorted.begin(), sorted.end(), [&](const OsvEvent& a, const OsvEvent& b) {
        bool a_zero = is_zero_introduced(a), b_zero = is_zero_introduced(b);
        if (a_zero || b_zero) return a_zero && !b_zero;
        bool a_infinite = a.kind == EventKind::limit && a.version.find('*') != std::string::npos;
        bool b_infinite = b.kind == EventKind::limit && b.version.find('*') != std::string::npos;
        if (a_infinite || b_infinite) return !a_infinite && b_infinite;
        return versions::compare(scheme, a.version, b.version) < 0;
    });
    return sorted;
}

bool before_limits(std::string_view version, const std::vector<OsvEvent>& events, Scheme scheme) {
    bool any_limit = false;
    for (const auto& event : events) {
        if (event.kind != EventKind::limit) continue;
        any_limit = true;
        if (event.version.find('*') != std::string::npos) return true;
        if (versions::compare(scheme, version, event.version) < 0) return true;
    }
    return !any_limit;
}

bool in_range(std::string_view version, const std::vector<OsvEvent>& sorted, Scheme scheme) {
    bool vulnerable = false;
    for (const auto& event : sorted) {
        if (event.kind == EventKind::introduced &&
            (event.version == "0" || versions::compare(scheme, version, event.version) >= 0))
            vulnerable = true;
        else if (event.kind == EventKind::fixed && versions::compare(scheme, version, event.version) >= 0)
            vulnerable = false;
        else if (event.kind == EventKind::last_affected && versions::compare(scheme, version, event.version) > 0)
            vulnerable = false;
    }
    return vulnerable;
}

// Go's toolchain reports its own version as "go1.21.3"; OSV writes "1.21.3".
std::string_view without_go_prefix(std::string_view version, std::string_view ecosystem) {
    if (ecosystem_key(ecosystem) == "go" && version.size() > 2 && version.substr(0, 2) == "go" &&
        version[2] >= '0' && version[2] <= '9')
        return version.substr(2);
    return version;
}

bool listed(std::string_view version, const std::vector<std::string>& listed_versions,
            std::optional<Scheme> scheme) {
    bool comparable = scheme && versions::is_valid(*scheme, version);
    for (const auto& candidate : listed_versions) {
        if (candidate == version) return true;
        if (comparable && versions::is_valid(*scheme, candidate) && versions::compare(*scheme, version, candidate) == 0)
            return true;
    }
    return false;
}

}  // namespace

std::optional<Scheme> range_scheme(std::string_view range_type, std::string_view ecosystem) {
    if (range_type == "SEMVER") return ecosystem_key(ecosystem) == "go" ? Scheme::Go : Scheme::SemVer;
    if (range_type == "ECOSYSTEM") return versions::scheme_for_ecosystem(ecosystem);
    return std::nullopt;
}

AffectedVerdict evaluate_affected(const OsvAffected& affected, std::string_view installed_version) {
    std::string_view version = without_go_prefix(installed_version, affected.ecosystem);
    AffectedVerdict verdict;
    verdict.affected = listed(version, affected.versions, versions::scheme_for_ecosystem(affected.ecosystem));

    struct Ordered {
        Scheme scheme;
        std::vector<OsvEvent> events;
    };
    std::vector<Ordered> ordered;
    for (const auto& range : affected.ranges) {
        auto scheme = range_scheme(range.type, affected.ecosystem);
        if (!scheme || !versions::is_valid(*scheme, version)) continue;
        ordered.push_back({*scheme, sorted_events(range.events, *scheme)});
        if (!verdict.affected && before_limits(version, range.events, *scheme) &&
            in_range(version, ordered.back().events, *scheme))
            verdict.affected = true;
    }
    if (!verdict.affected) return verdict;

    for (const auto& range : ordered) {
        for (const auto& event : range.events) {
            if (event.kind != EventKind::fixed || versions::compare(range.scheme, version, event.version) >= 0)
                continue;
            if (verdict.fixed_version.empty() ||
                versions::compare(range.scheme, event.version, verdict.fixed_version) < 0)
                verdict.fixed_version = event.version;
            break;  // sorted: the first fix above is the lowest in this range
        }
    }
    return verdict;
}

}  // namespace regscan::vulndb
