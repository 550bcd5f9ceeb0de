#include "report/table_report.hpp"

#include <algorithm>
#include <array>

#include "report/report_file.hpp"
#include "scan/model_json.hpp"
#include "triage/policy.hpp"
#include "util/text.hpp"

namespace regscan::report {
namespace {

// Every value shown comes from the registry: escaped, so that it cannot
// drive the terminal or start a line of its own.
std::string shown(const std::string& text) { return util::escape_control(text); }

std::string cut(const std::string& text, size_t max_width) {
    std::string single_line = shown(text);
    if (single_line.size() <= max_width || max_width < 4) return single_line;
    return single_line.substr(0, max_width - 3) + "...";
}

std::string severity_counts(const std::array<size_t, 5>& counts) {
    static const scan::Severity order[] = {scan::Severity::critical, scan::Severity::high, scan::Severity::medium,
                                           scan::Severity::low, scan::Severity::unknown};
    std::string text;
    for (auto severity : order) {
        auto count = counts[static_cast<size_t>(severity)];
        if (count == 0) continue;
        text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + scan::to_string(severity);
    }
    return text;
}

template <typename Finding>
std::string count_line(const std::vector<Finding>& findings) {
    std::array<size_t, 5> counts{};
    for (const auto& finding : findings) ++counts[static_cast<size_t>(finding.severity)];
    return std::to_string(findings.size()) + " (" + severity_counts(counts) + ")";
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

void write_malware(std::ostream& out, const scan::MalwareResult& malware) {
    if (!malware.requested()) return;
    out << "  Malware: ";
    switch (malware.verdict) {
        case scan::MalwareVerdict::not_scanned: out << "not scanned (" << shown(malware.reason) << ")\n"; return;
        case scan::MalwareVerdict::clean: out << "clean\n"; return;
        case scan::MalwareVerdict::found: out << malware.findings.size() << " found"; break;
        case scan::MalwareVerdict::incomplete: out << "incomplete"; break;
    }
    if (!malware.incomplete.empty()) out << " (" << malware.incomplete.size() << " not fully examined)";
    out << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : malware.findings)
        rows.push_back({f.path, f.engine + ": " + f.signature,
                        f.layer_digest.substr(0, 19) + (f.in_final_filesystem ? "" : " (deleted later)"), f.sha256});
    for (const auto& i : malware.incomplete)
        rows.push_back({i.path, "incomplete: " + i.reason, i.layer_digest.substr(0, 19), ""});
    write_text_table(out, {"PATH", "SIGNATURE", "LAYER", "SHA256"}, rows, "    ");
}

void write_image(std::ostream& out, const scan::ImageResult& image, size_t package_count, size_t suppressed) {
    out << shown(image_reference(image));
    if (!image.platform.empty()) out << " (" << shown(image.platform) << ")";
    if (!image.digest.empty()) out << " " << shown(image.digest);
    out << "\n";
    if (image.status == scan::ScanStatus::scan_failed) {
        out << "  scan failed: " << shown(image.error) << "\n";
        return;
    }
    if (image.status == scan::ScanStatus::skipped) {
        out << "  skipped" << (image.error.empty() ? "" : ": " + shown(image.error)) << "\n";
        return;
    }
    if (image.status == scan::ScanStatus::reused) out << "  unchanged since the last scan: result reused\n";
    if (image.os && !image.os->pretty_name.empty()) out << "  OS: " << shown(image.os->pretty_name) << "\n";
    write_malware(out, image.malware);
    for (const auto& coverage : image.vulnerability_data)
        if (!coverage.has_data)
            out << "  not checked for vulnerabilities: " << coverage.packages << " " << shown(coverage.ecosystem)
                << " packages (the database has no " << shown(coverage.ecosystem) << " data)\n";
    if (suppressed)
        out << "  suppressed: " << suppressed << (suppressed == 1 ? " finding" : " findings")
            << " (ignore file, VEX, --severity or --ignore-unfixed; listed in the JSON report)\n";
    if (image.vulnerabilities.empty() && image.misconfigurations.empty()) {
        out << "  no findings in " << package_count << (package_count == 1 ? " package\n" : " packages\n");
        return;
    }
    if (!image.vulnerabilities.empty()) {
        out << "  Vulnerabilities: " << count_line(image.vulnerabilities) << "\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& v : vulnerabilities_by_severity(image))
            rows.push_back({v.source_package.empty() ? v.package_name : v.package_name + " (" + v.source_package + ")",
                            v.package_version, v.id, join(v.aliases), scan::to_string(v.severity),
                            v.fixed_version});
        write_text_table(out, {"PACKAGE", "VERSION", "VULNERABILITY", "ALIASES", "SEVERITY", "FIXED VERSION"}, rows,
                         "    ");
    }
    if (!image.misconfigurations.empty()) {
        out << "  Misconfigurations: " << count_line(image.misconfigurations) << "\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& m : misconfigurations_by_severity(image))
            rows.push_back({m.id, scan::to_string(m.severity), m.title, m.location});
        write_text_table(out, {"ID", "SEVERITY", "TITLE", "LOCATION"}, rows, "    ");
    }
}

}  // namespace

void write_text_table(std::ostream& out, const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows, const std::string& indent, size_t max_width) {
    std::vector<size_t> widths(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < widths.size() && i < row.size(); ++i)
            widths[i] = std::max(widths[i], cut(row[i], max_width).size());
    };
    measure(header);
    for (const auto& row : rows) measure(row);
    auto write_row = [&](const std::vector<std::string>& row) {
        std::string line = indent;
        for (size_t i = 0; i < widths.size(); ++i) {
            auto cell = i < row.size() ? cut(row[i], max_width) : std::string();
            line += cell;
            if (i + 1 < widths.size()) line += std::string(widths[i] - cell.size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    };
    write_row(header);
    for (const auto& row : rows) write_row(row);
}

TableReport::TableReport(std::ostream& console) : console_(console) {}

void TableReport::result(const scan::ImageResult& image) {
    // Only counted findings and the package count are printed.
    package_counts_[image.digest + " " + image.platform] = image.packages.size();
    suppressed_counts_[image.digest + " " + image.platform] = triage::suppressed_count(image);
    images_.push_back(triage::without_suppressed(without_packages(image)));
}

void TableReport::stored_result(const scan::ImageResult& image, const StoredRendering& stored) {
    package_counts_[image.digest + " " + image.platform] = stored.package_count;
    suppressed_counts_[image.digest + " " + image.platform] = triage::suppressed_count(image);
    images_.push_back(triage::without_suppressed(without_packages(image)));
}

std::vector<std::string> TableReport::finish(const nlohmann::json&) {
    auto images = images_;
    sort_images(images);
    if (images.empty()) console_ << "No images were scanned.\n";
    // A blank line after each block keeps the tables apart from each other and from the summary that follows.
    for (const auto& image : images) {
        write_image(console_, image, package_counts_[image.digest + " " + image.platform],
                    suppressed_counts_[image.digest + " " + image.platform]);
        console_ << "\n";
    }
    console_.flush();
    return {};
}

}  // namespace regscan::report
