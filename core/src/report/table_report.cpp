#include "report/table_report.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <stdexcept>

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
    // Never inside a UTF-8 sequence: the table is served as UTF-8 text.
    return single_line.substr(0, util::utf8_boundary(single_line, max_width - 3)) + "...";
}

TableStyle configured_style;
// Standard output as the process started: `regscan image` points std::cout at
// a capture (engine/image_run.cpp); only a capture standing in for standard
// output (-o -) may be coloured, a -o FILE never.
std::streambuf* const terminal_buffer = std::cout.rdbuf();
std::streambuf* stand_in_buffer = nullptr;

// Bold red, red, yellow, blue; unknown stays plain.
std::string coloured(const std::string& word, bool colour) {
    if (!colour) return word;
    const char* code = word == "critical" ? "\033[1;31m"
                       : word == "high"   ? "\033[31m"
                       : word == "medium" ? "\033[33m"
                       : word == "low"    ? "\033[34m"
                                          : nullptr;
    return code ? code + word + "\033[0m" : word;
}

std::string severity_counts(const std::array<size_t, 5>& counts, bool colour = false) {
    static const scan::Severity order[] = {scan::Severity::critical, scan::Severity::high, scan::Severity::medium,
                                           scan::Severity::low, scan::Severity::unknown};
    std::string text;
    for (auto severity : order) {
        auto count = counts[static_cast<size_t>(severity)];
        if (count == 0) continue;
        text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + coloured(scan::to_string(severity), colour);
    }
    return text;
}

template <typename Finding>
std::string count_line(const std::vector<Finding>& findings, bool colour) {
    std::array<size_t, 5> counts{};
    for (const auto& finding : findings) ++counts[static_cast<size_t>(finding.severity)];
    if (findings.empty()) return "0";
    return std::to_string(findings.size()) + " (" + severity_counts(counts, colour) + ")";
}

std::string image_title(const scan::ImageResult& image) {
    std::string title = shown(image_reference(image));
    if (!image.platform.empty()) title += " (" + shown(image.platform) + ")";
    return title;
}

// The one line per image printed before the long tables.
std::string summary_line(const scan::ImageResult& image, bool colour) {
    std::string line = "  " + image_title(image) + ": ";
    if (image.status == scan::ScanStatus::scan_failed) return line + "scan failed";
    if (image.status == scan::ScanStatus::skipped) return line + "skipped";
    line += "vulnerabilities " + count_line(image.vulnerabilities, colour) + ", misconfigurations " +
            count_line(image.misconfigurations, colour);
    const auto& malware = image.malware;
    if (malware.requested()) {
        line += ", malware ";
        switch (malware.verdict) {
            case scan::MalwareVerdict::not_scanned: line += "not scanned"; break;
            case scan::MalwareVerdict::clean: line += "clean"; break;
            case scan::MalwareVerdict::found: line += std::to_string(malware.findings.size()) + " found"; break;
            case scan::MalwareVerdict::incomplete: line += "incomplete"; break;
        }
    }
    return line;
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

void write_image(std::ostream& out, const scan::ImageResult& image, size_t package_count, size_t suppressed,
                 bool colour) {
    out << image_title(image);
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
            << " (ignore file, VEX, --severity, --ignore-unfixed or --ignore-status; listed in the JSON report)\n";
    if (image.vulnerabilities.empty() && image.misconfigurations.empty()) {
        out << "  no findings in " << package_count << (package_count == 1 ? " package\n" : " packages\n");
        return;
    }
    if (!image.vulnerabilities.empty()) {
        out << "  Vulnerabilities: " << count_line(image.vulnerabilities, colour) << "\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& v : vulnerabilities_by_severity(image)) {
            auto main_id = main_vulnerability_id(v);
            rows.push_back({v.source_package.empty() ? v.package_name : v.package_name + " (" + v.source_package + ")",
                            v.package_version, main_id, main_id == v.id ? "" : v.id, scan::to_string(v.severity),
                            scan::status_words(v), v.fixed_version, v.summary});
        }
        write_text_table(out, {"PACKAGE", "VERSION", "VULNERABILITY", "DETAIL", "SEVERITY", "STATUS", "FIXED VERSION",
                               "TITLE"},
                         rows, "    ", 60, colour ? std::optional<size_t>(4) : std::nullopt);
    }
    if (!image.misconfigurations.empty()) {
        out << "  Misconfigurations: " << count_line(image.misconfigurations, colour) << "\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& m : misconfigurations_by_severity(image))
            rows.push_back({m.id, scan::to_string(m.severity), m.title, m.location});
        write_text_table(out, {"ID", "SEVERITY", "TITLE", "LOCATION"}, rows, "    ", 60,
                         colour ? std::optional<size_t>(1) : std::nullopt);
    }
}

}  // namespace

TableStyle resolve_table_style(const std::string& mode, const std::string& colour, bool stdout_is_terminal,
                               const std::string& no_color) {
    TableStyle style;
    if (mode == "summary") style.detailed = false;
    else if (!mode.empty() && mode != "detailed")
        throw std::invalid_argument("--table-mode: unknown mode '" + shown(mode) + "' (known: summary, detailed)");
    if (colour == "always") style.colour = true;
    else if (colour == "never") style.colour = false;
    else if (colour.empty() || colour == "auto") style.colour = stdout_is_terminal && no_color.empty();
    else throw std::invalid_argument("--color: unknown value '" + shown(colour) + "' (known: auto, always, never)");
    return style;
}

void set_table_style(const TableStyle& style) { configured_style = style; }
const TableStyle& table_style() { return configured_style; }

StandardOutputStandIn::StandardOutputStandIn(std::streambuf* capture) : previous_(stand_in_buffer) {
    stand_in_buffer = capture;
}
StandardOutputStandIn::~StandardOutputStandIn() { stand_in_buffer = previous_; }

std::string main_vulnerability_id(const scan::Vulnerability& vulnerability) {
    if (vulnerability.id.starts_with("CVE-")) return vulnerability.id;
    for (const auto& alias : vulnerability.aliases)
        if (alias.starts_with("CVE-")) return alias;
    return vulnerability.id;
}


void write_text_table(std::ostream& out, const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows, const std::string& indent, size_t max_width,
                      std::optional<size_t> colour_column) {
    std::vector<size_t> widths(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < widths.size() && i < row.size(); ++i)
            widths[i] = std::max(widths[i], cut(row[i], max_width).size());
    };
    measure(header);
    for (const auto& row : rows) measure(row);
    auto write_row = [&](const std::vector<std::string>& row, bool header_row) {
        std::string line = indent;
        for (size_t i = 0; i < widths.size(); ++i) {
            auto cell = i < row.size() ? cut(row[i], max_width) : std::string();
            line += !header_row && colour_column == i ? coloured(cell, true) : cell;
            if (i + 1 < widths.size()) line += std::string(widths[i] - cell.size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    };
    write_row(header, true);
    for (const auto& row : rows) write_row(row, false);
}

TableReport::TableReport(std::ostream& console) : console_(console), style_(table_style()) {
    // Never colour into a file (image -o FILE).
    const auto* buffer = std::cout.rdbuf();
    if (&console != &std::cout || (buffer != terminal_buffer && (!stand_in_buffer || buffer != stand_in_buffer)))
        style_.colour = false;
}

TableReport::TableReport(std::ostream& console, const TableStyle& style) : console_(console), style_(style) {}

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
    else {
        console_ << "Images: " << images.size() << "\n";
        for (const auto& image : images) console_ << summary_line(image, style_.colour) << "\n";
        console_ << "\n";
    }
    if (!style_.detailed) {
        console_.flush();
        return {};
    }
    // A blank line after each block keeps the tables apart from each other and from the summary that follows.
    for (const auto& image : images) {
        write_image(console_, image, package_counts_[image.digest + " " + image.platform],
                    suppressed_counts_[image.digest + " " + image.platform], style_.colour);
        console_ << "\n";
    }
    console_.flush();
    return {};
}

}  // namespace regscan::report
