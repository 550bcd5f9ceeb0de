// --format json: <stem>-report.json, every image's full result plus the run
// summary, in the shape docs/report-schema.md documents. Images are spilled
// to a scratch file as they arrive, so memory does not grow with the registry.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "report/spilled_entries.hpp"
#include "scan/model.hpp"

namespace regscan::report {

inline constexpr int json_report_schema_version = 1;

class JsonReport final : public ResultReporter {
public:
    explicit JsonReport(const sdk::ReportRun& run);
    void result(const scan::ImageResult& image) override;
    void stored_result(const scan::ImageResult& image, const StoredRendering& stored) override;
    std::vector<std::string> finish(const nlohmann::json& summary) override;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    sdk::ReportRun run_;
    std::filesystem::path path_;
    SpilledEntries images_;
};

}  // namespace regscan::report
