#include "report/findings_csv.hpp"

#include <cstdio>

#include "report/csv_writer.hpp"
#include "report/report_file.hpp"
#include "scan/model_json.hpp"
#include "triage/policy.hpp"

namespace regscan::report {
namespace {

std::string cvss_text(double score) {
    if (score <= 0) return "";
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.1f", score);
    return buffer;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ";") + item;
    return out;
}

}  // namespace

std::vector<std::string> vulnerability_csv_header() {
    return {"registry", "repository", "tag",           "digest",      "platform", "package",  "version",
            "ecosystem", "vulnerability", "aliases", "severity", "cvss", "fixed_version", "summary", "source_package",
            "status"};
}

std::vector<std::string> misconfiguration_csv_header() {
    return {"registry", "repository", "tag", "digest", "id", "severity", "title", "location", "detail"};
}

std::vector<std::string> vulnerability_csv_row(const scan::ImageResult& image, const scan::Vulnerability& v) {
    return {image.registry,      image.repository,   image.tag,         image.digest,
            image.platform,      v.package_name,     v.package_version, v.ecosystem,
            v.id,                joined(v.aliases),  scan::to_string(v.severity), cvss_text(v.cvss_score),
            v.fixed_version,     v.summary,          v.source_package,
            scan::status_of(v)};
}

std::vector<std::string> misconfiguration_csv_row(const scan::ImageResult& image, const scan::Misconfiguration& m) {
    return {image.registry, image.repository, image.tag, image.digest, m.id, scan::to_string(m.severity),
            m.title,        m.location,       m.detail};
}

std::vector<std::string> malware_csv_header() {
    return {"registry", "repository", "tag",    "digest",    "platform", "verdict", "path",
            "layer_digest", "in_final_filesystem", "engine", "signature", "sha256", "reason"};
}

std::vector<std::vector<std::string>> malware_csv_rows(const scan::ImageResult& image) {
    const auto& m = image.malware;
    std::vector<std::string> prefix = {image.registry, image.repository, image.tag, image.digest, image.platform,
                                       scan::to_string(m.verdict)};
    auto row = [&](std::vector<std::string> rest) {
        auto full = prefix;
        full.insert(full.end(), rest.begin(), rest.end());
        return full;
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : m.findings)
        rows.push_back(row({f.path, f.layer_digest, f.in_final_filesystem ? "true" : "false", f.engine, f.signature,
                            f.sha256, ""}));
    for (const auto& i : m.incomplete) rows.push_back(row({i.path, i.layer_digest, "", "", "", "", i.reason}));
    if (rows.empty()) rows.push_back(row({"", "", "", "", "", "", m.reason}));
    return rows;
}

FindingsCsv::FindingsCsv(const sdk::ReportRun& run)
    : vulnerabilities_path_(report_path(run, "-vulnerabilities.csv")),
      misconfigurations_path_(report_path(run, "-misconfigurations.csv")),
      malware_path_(report_path(run, "-malware.csv")) {}

void FindingsCsv::result(const scan::ImageResult& image) {
    malware_ = malware_ || image.malware.requested();
    images_.push_back(triage::without_suppressed(without_packages(image)));
}

std::vector<std::string> FindingsCsv::finish(const nlohmann::json&) {
    auto images = images_;
    sort_images(images);
    write_file_atomically(vulnerabilities_path_, [&](std::ostream& out) {
        write_csv_row(out, vulnerability_csv_header());
        for (const auto& image : images)
            for (const auto& v : vulnerabilities_by_severity(image)) write_csv_row(out, vulnerability_csv_row(image, v));
    });
    write_file_atomically(misconfigurations_path_, [&](std::ostream& out) {
        write_csv_row(out, misconfiguration_csv_header());
        for (const auto& image : images)
            for (const auto& m : misconfigurations_by_severity(image)) write_csv_row(out, misconfiguration_csv_row(image, m));
    });
    if (!malware_) return {vulnerabilities_path_.string(), misconfigurations_path_.string()};
    write_file_atomically(malware_path_, [&](std::ostream& out) {
        write_csv_row(out, malware_csv_header());
        for (const auto& image : images)
            if (image.status != scan::ScanStatus::scan_failed)
                for (const auto& row : malware_csv_rows(image)) write_csv_row(out, row);
    });
    return {vulnerabilities_path_.string(), misconfigurations_path_.string(), malware_path_.string()};
}

}  // namespace regscan::report
