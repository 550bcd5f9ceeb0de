// The run's totals, the summary JSON every reporter receives, and the
// console summary in the shape users of the tool we replace know.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/image_record.hpp"
#include "engine/scan_phase.hpp"
#include "scan/matcher.hpp"

namespace regscan::engine {

struct Totals {
    size_t images_found = 0;
    size_t images_skipped = 0;
    size_t images_stopped = 0;  // of the skipped, those a stopped run did not scan
    size_t images_selected = 0;
    size_t new_images = 0;
    size_t failed_images = 0;
    size_t reused = 0;
    size_t failed_repositories = 0;
    size_t repositories_stopped = 0;  // left unlisted by a stopped run
    size_t vulnerabilities[5] = {};    // by scan::Severity
    size_t misconfigurations[5] = {};  // by scan::Severity
    // Findings triage suppressed (not in the counts above), and by what:
    // "ignore-file", "vex", "severity", "unfixed", "status".
    size_t suppressed_vulnerabilities = 0;
    size_t suppressed_misconfigurations = 0;
    size_t suppressed_malware = 0;
    std::map<std::string, size_t> suppressed_by;
    // --malware: findings, images with one, images incomplete (no finding
    // but a file not fully examined), images not examined, layers examined.
    bool malware = false;  // --malware was asked for
    size_t malware_found = 0;
    size_t malware_images = 0;
    size_t malware_incomplete = 0;
    size_t malware_not_scanned = 0;
    size_t malware_layers_examined = 0;
    std::vector<std::string> discovery_notes;  // a plugin's (SDK 1.2 host.discovery_note)
    // Scan mode: the data matched against, and the ecosystems images had
    // packages in that it has no records for.
    scan::DataInfo data;
    struct Missing {
        size_t images = 0;
        size_t packages = 0;
    };
    std::map<std::string, Missing> missing_data;

    // Counted findings (vulnerabilities and misconfigurations) at or above `floor`.
    [[nodiscard]] size_t at_or_above(scan::Severity floor) const;
    // Adds one image result's findings to the counts.
    void count_findings(const scan::ImageResult& result);
};

// `findings` (counted with count_findings as results arrived) with every
// other count filled in.
Totals count_totals(const std::vector<ImageRecord>& images, const PhaseOutcome& outcome, const ListingReport& listing,
                    Totals findings = {});

nlohmann::json summary_json(const Totals& totals, const std::string& registry, const std::string& mode,
                            const std::string& started, const std::string& finished,
                            const std::vector<RepositoryFailure>& failures);

struct ReportPaths {
    std::string inventory;
    std::vector<std::string> all;
    std::string vulnerability_details;
    std::string misconfiguration_details;
    // Prefers the findings CSVs, then the JSON report, among `all`.
    void choose_details(const std::string& stem);
};

void print_summary(std::ostream& out, const Totals& totals, const ReportPaths& paths, bool scanning);

}  // namespace regscan::engine
