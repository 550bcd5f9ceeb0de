#include "engine/summary.hpp"

#include <set>

#include <filesystem>

#include <fmt/format.h>

#include "log/secrets.hpp"
#include "util/text.hpp"

namespace regscan::engine {
namespace {

constexpr scan::Severity order[] = {scan::Severity::critical, scan::Severity::high, scan::Severity::medium,
                                    scan::Severity::low, scan::Severity::unknown};

nlohmann::json by_severity(const size_t (&counts)[5]) {
    nlohmann::json j = nlohmann::json::object();
    for (auto severity : order) j[scan::to_string(severity)] = counts[static_cast<int>(severity)];
    return j;
}

std::string line(const std::string& label, const std::string& value) {
    return fmt::format("    {:<24}: {}\n", label, value);
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

size_t Totals::at_or_above(scan::Severity floor) const {
    size_t count = 0;
    for (int s = static_cast<int>(floor); s <= static_cast<int>(scan::Severity::critical); ++s)
        count += vulnerabilities[s] + misconfigurations[s];
    return count;
}

Totals count_totals(const std::vector<ImageRecord>& images, const PhaseOutcome& outcome, const ListingReport& listing,
                    Totals findings) {
    Totals totals = findings;
    totals.images_found = images.size();
    for (const auto& image : images) totals.images_skipped += image.skipped ? 1 : 0;
    totals.images_selected = totals.images_found - totals.images_skipped;
    totals.new_images = outcome.new_images;
    totals.failed_images = outcome.failed_images;
    totals.reused = outcome.reused;
    totals.images_stopped = outcome.stopped;
    std::set<std::string> failed_repositories;
    for (const auto& failure : listing.failures) failed_repositories.insert(failure.repository);
    totals.failed_repositories = failed_repositories.size();
    totals.repositories_stopped = listing.repositories_stopped;
    totals.discovery_notes = listing.notes;
    return totals;
}

void Totals::count_findings(const scan::ImageResult& result) {
    for (const auto& v : result.vulnerabilities) {
        if (v.suppressed) {
            ++suppressed_vulnerabilities;
            ++suppressed_by[v.suppressed->by];
        } else {
            ++vulnerabilities[static_cast<int>(v.severity)];
        }
    }
    for (const auto& m : result.misconfigurations) {
        if (m.suppressed) {
            ++suppressed_misconfigurations;
            ++suppressed_by[m.suppressed->by];
        } else {
            ++misconfigurations[static_cast<int>(m.severity)];
        }
    }
    for (const auto& coverage : result.vulnerability_data) {
        if (coverage.has_data) continue;
        auto& missing = missing_data[coverage.ecosystem];
        ++missing.images;
        missing.packages += coverage.packages;
    }
    if (result.status == scan::ScanStatus::scan_failed) return;
    for (const auto& f : result.malware.findings) {
        if (f.suppressed) {
            ++suppressed_malware;
            ++suppressed_by[f.suppressed->by];
        } else {
            ++malware_found;
        }
    }
    switch (result.malware.verdict) {
        case scan::MalwareVerdict::found: ++malware_images; break;
        case scan::MalwareVerdict::incomplete: ++malware_incomplete; break;
        case scan::MalwareVerdict::clean: break;
        case scan::MalwareVerdict::not_scanned: ++malware_not_scanned; break;
    }
}

namespace {

// What the run matched against, so a report says how fresh its findings are
// and which ecosystems went unchecked; null in a dry run.
nlohmann::json data_json(const Totals& totals) {
    if (totals.data.fingerprint.empty() && totals.data.path.empty()) return nullptr;
    nlohmann::json missing = nlohmann::json::array();
    for (const auto& [ecosystem, m] : totals.missing_data)
        missing.push_back({{"ecosystem", ecosystem}, {"images", m.images}, {"packages", m.packages}});
    return {{"path", totals.data.path},
            {"fingerprint", totals.data.fingerprint},
            {"last_import", totals.data.last_import},
            {"newest_record", totals.data.newest_record},
            {"records", totals.data.records},
            {"missing_ecosystems", missing}};
}

}  // namespace

nlohmann::json summary_json(const Totals& totals, const std::string& registry, const std::string& mode,
                            const std::string& started, const std::string& finished,
                            const std::vector<RepositoryFailure>& failures) {
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& f : failures) failed.push_back({{"repository", f.repository}, {"error", log::redact(f.error)}});
    nlohmann::json notes = nlohmann::json::array();
    for (const auto& note : totals.discovery_notes) notes.push_back(log::redact(note));
    return {{"registry", registry},
            {"mode", mode},
            {"started", started},
            {"finished", finished},
            {"images_found", totals.images_found},
            {"new_images", totals.new_images},
            {"images_scanned", totals.images_selected},
            {"images_failed", totals.failed_images},
            {"images_skipped", totals.images_skipped},
            {"images_stopped", totals.images_stopped},
            {"results_reused", totals.reused},
            {"vulnerabilities", by_severity(totals.vulnerabilities)},
            {"misconfigurations", by_severity(totals.misconfigurations)},
            {"suppressed",
             {{"vulnerabilities", totals.suppressed_vulnerabilities},
              {"misconfigurations", totals.suppressed_misconfigurations},
              {"malware", totals.suppressed_malware},
              {"by", totals.suppressed_by}}},
            {"malware",
             {{"found", totals.malware_found},
              {"images_found", totals.malware_images},
              {"images_incomplete", totals.malware_incomplete},
              {"images_not_scanned", totals.malware_not_scanned},
              {"layers_examined", totals.malware_layers_examined}}},
            {"failed_repositories", failed},
            {"repositories_stopped", totals.repositories_stopped},
            {"discovery_notes", notes},
            {"vulnerability_data", data_json(totals)}};
}

void ReportPaths::choose_details(const std::string& stem) {
    auto pick = [&](const std::string& suffix) -> std::string {
        for (const auto& path : all)
            if (ends_with(std::filesystem::path(path).filename().string(), stem + suffix)) return path;
        return {};
    };
    vulnerability_details = pick("-vulnerabilities.csv");
    misconfiguration_details = pick("-misconfigurations.csv");
    std::string json = pick("-report.json");
    if (vulnerability_details.empty()) vulnerability_details = json;
    if (misconfiguration_details.empty()) misconfiguration_details = json;
}

void print_summary(std::ostream& out, const Totals& t, const ReportPaths& paths, bool scanning) {
    out << "Registry Summary:\n" << line("Total images found", std::to_string(t.images_found));
    out << line("New images found", std::to_string(t.new_images));
    if (scanning) {
        out << line("Images scanned", fmt::format("{} ({} failed{})", t.images_selected, t.failed_images,
                                                  t.reused ? fmt::format(", {} unchanged", t.reused) : ""));
        std::string counts;
        for (auto severity : order)
            counts += (counts.empty() ? "" : ", ") +
                      fmt::format("{} {}", t.vulnerabilities[static_cast<int>(severity)], scan::to_string(severity));
        out << line("Vulnerabilities", counts);
        size_t misconfigurations = 0;
        for (auto n : t.misconfigurations) misconfigurations += n;
        out << line("Misconfigurations", std::to_string(misconfigurations));
        if (t.suppressed_vulnerabilities || t.suppressed_misconfigurations || t.suppressed_malware) {
            std::string by;
            for (const auto& [what, n] : t.suppressed_by) by += fmt::format("{}{} {}", by.empty() ? "" : ", ", n, what);
            out << line("Suppressed", fmt::format("{} vulnerabilities, {} misconfigurations{} (by {})",
                                                  t.suppressed_vulnerabilities, t.suppressed_misconfigurations,
                                                  t.suppressed_malware
                                                      ? fmt::format(", {} malware", t.suppressed_malware)
                                                      : "",
                                                  by));
        }
        out << line("Vulnerability data", t.data.last_import.empty() ? std::string("never imported")
                                                                     : "imported " + t.data.last_import);
        for (const auto& [ecosystem, m] : t.missing_data)
            out << "  - no data for " << util::escape_control(ecosystem) << ": " << m.packages << " packages in "
                << m.images << " images not checked\n";
        if (t.malware)
            out << line("Malware", fmt::format("{} found in {} images ({} incomplete{})", t.malware_found,
                                               t.malware_images, t.malware_incomplete,
                                               t.malware_not_scanned
                                                   ? fmt::format(", {} not scanned", t.malware_not_scanned)
                                                   : ""));
    } else {
        out << line("Images failed", std::to_string(t.failed_images));
    }
    out << line("Images skipped", std::to_string(t.images_skipped));
    if (t.images_stopped)
        out << line("Run stopped", fmt::format("{} of the skipped images were not scanned (the next run scans them)",
                                               t.images_stopped));
    out << line("Repositories failed", std::to_string(t.failed_repositories));
    if (t.repositories_stopped)
        out << line("Repositories not listed",
                    fmt::format("{} (the run was stopped; the next run lists them)", t.repositories_stopped));
    if (!t.discovery_notes.empty()) {
        out << line("Discovery notes", std::to_string(t.discovery_notes.size()));
        for (const auto& note : t.discovery_notes) out << "  - " << util::escape_control(log::redact(note)) << "\n";
    }
    if (scanning) {
        out << line("Misconfiguration details", paths.misconfiguration_details.empty() ? "-" : paths.misconfiguration_details);
        out << line("Vulnerability details", paths.vulnerability_details.empty() ? "-" : paths.vulnerability_details);
    }
    out << line("Inventory report", paths.inventory);
    out.flush();
}

}  // namespace regscan::engine
