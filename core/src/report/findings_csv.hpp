// --format csv: the findings as two spreadsheets,
//   <stem>-vulnerabilities.csv  one row per vulnerability per image
//   <stem>-misconfigurations.csv       one row per misconfiguration per image
//   <stem>-malware.csv          with --malware: one row per malware finding or
//                               file not fully examined, one per image without
// Images by reference, findings most severe first.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

std::vector<std::string> vulnerability_csv_header();
std::vector<std::string> misconfiguration_csv_header();
std::vector<std::string> vulnerability_csv_row(const scan::ImageResult& image, const scan::Vulnerability& v);
std::vector<std::string> misconfiguration_csv_row(const scan::ImageResult& image, const scan::Misconfiguration& m);
std::vector<std::string> malware_csv_header();
// Every row of one image: its findings, its files not fully examined, or
// one row with its verdict when it has neither.
std::vector<std::vector<std::string>> malware_csv_rows(const scan::ImageResult& image);

class FindingsCsv final : public ResultReporter {
public:
    explicit FindingsCsv(const sdk::ReportRun& run);
    void result(const scan::ImageResult& image) override;
    // Returns the vulnerability file, then the misconfiguration file, then (with
    // --malware) the malware file.
    std::vector<std::string> finish(const nlohmann::json& summary) override;

    [[nodiscard]] const std::filesystem::path& vulnerabilities_path() const { return vulnerabilities_path_; }
    [[nodiscard]] const std::filesystem::path& misconfigurations_path() const { return misconfigurations_path_; }

private:
    std::filesystem::path vulnerabilities_path_;
    std::filesystem::path misconfigurations_path_;
    std::filesystem::path malware_path_;
    bool malware_ = false;  // some image was asked for with --malware
    std::vector<scan::ImageResult> images_;
};

}  // namespace regscan::report
