// The Debian Security Tracker's JSON export `regscan db import --debian-tracker
// FILE` reads: any refusal is a TrackerError; every status handed over must be
// one of the four words, for a numbered release, with names that passed validation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vulndb/debian_tracker.hpp"

using namespace regscan::vulndb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        size_t emitted = 0;
        auto summary = read_debian_tracker(text, [&](TrackerStatus&& s) {
            ++emitted;
            if (s.status != "will_not_fix" && s.status != "fix_deferred" && s.status != "end_of_life" &&
                s.status != "under_investigation")
                std::abort();
            if (s.ecosystem.rfind("Debian:", 0) != 0 || s.package.empty() || s.vulnerability.empty() ||
                s.package.size() > max_tracker_package_name || s.vulnerability.size() > max_tracker_issue_id)
                std::abort();
        });
        if (summary.statuses != emitted || summary.statuses + summary.unknown_releases > summary.releases)
            std::abort();
    } catch (const TrackerError&) {
    }
    return 0;
}
