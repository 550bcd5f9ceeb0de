// --format json: <stem>-report.json, every image's full result plus the run
// summary, in the shape docs/report-schema.md documents.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

inline constexpr int json_report_schema_version = 1;

class JsonReport final : public sdk::Reporter {
public:
    explicit JsonReport(const sdk::ReportRun& run);
    void image(const nlohmann::json& image) override;
    std::vector<std::string> finish(const nlohmann::json& summary) override;

    // The whole document, as finish writes it.
    [[nodiscard]] nlohmann::json document(const nlohmann::json& summary) const;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    sdk::ReportRun run_;
    std::filesystem::path path_;
    std::vector<scan::ImageResult> images_;
};

}  // namespace regscan::report
